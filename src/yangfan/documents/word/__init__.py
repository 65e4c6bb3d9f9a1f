"""Word files (``.docx``, python-docx) on the page of GB/T 9704-2012 《党政机关公文格式》.

- :mod:`~yangfan.documents.word.gbt9704`: the standard's numbers (A4, margins, 版心, 22 lines of 28
  characters), fonts and sizes, and how it writes dates and heading numbers;
- :mod:`~yangfan.documents.word.page`: a document on that page (defaults, margins, grid), page numbers;
- :mod:`~yangfan.documents.word.writer`: the layout primitives (paragraph, run, title, numbered headings, body,
  numbered tables and figures);
- :mod:`~yangfan.documents.word.package`: core properties and the deterministic bytes (:func:`docx_bytes`);
- :mod:`~yangfan.documents.word.official`: the 公文 itself (版头, 主体, 落款, 版记) from an ``OfficialDocument``.

An app's writer decides what its document says (which sections, which tables and figures) and leaves the
page, the fonts and the bytes to these modules.
"""
