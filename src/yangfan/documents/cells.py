"""What a cell holds once written: text that a spreadsheet program would read as a formula is defused.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel, LibreOffice
and WPS (CSV injection: ``=HYPERLINK(…)`` in a comment becomes a live link). Such text is written with a
leading ``'``, which the programs show as text and which :func:`restored` takes off again when a file comes
back for import. A plain number (``-5``, ``+3.2``) is a number, not a formula, and is left as it is.
"""

from __future__ import annotations

import re

RISKY = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def defused(text: str) -> str:
    """``text`` as a cell that no spreadsheet program runs: a leading ``'`` where it would be a formula."""
    if text.startswith(RISKY) and not _NUMBER.fullmatch(text):
        return QUOTE + text
    return text


def restored(text: str) -> str:
    """The text that :func:`defused` wrote as ``text`` (an imported cell), unchanged where it added nothing."""
    if text.startswith(QUOTE) and text[1:].startswith(RISKY) and not _NUMBER.fullmatch(text[1:]):
        return text[1:]
    return text
