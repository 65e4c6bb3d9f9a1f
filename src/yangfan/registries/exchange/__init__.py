"""Registries in and out of spreadsheets: every registry exported to XLSX or CSV, and imported back from them.

The file is what people keep the registries in before Yangfan: one row per entry, Chinese headers (the
fields' names), related things by what people write — the org unit by its code (or name), a sector or an
operator by its name (or code), another registry's entry as its spec's ``named_by`` says (a case, a VPN, a
product or an evaluation body by its name, a supplier also by its credit code, a standard by its title or code),
several of them joined by “、”.

An import is all or nothing, like the data values' (``datavalues.services``): every bad row is reported
with its row number as a spreadsheet shows it (the header is row 1), its column and the reason, and nothing
is written unless every row is good. A row is matched to the entry it describes the way ``entry_save``
finds duplicates (a supplier by its 统一社会信用代码, a benchmark by case and year, anything else by name in
the same city, a carrier also by kind): a match with other values is updated, an identical one left as it
is, so importing the same file twice changes nothing. Each written row goes through ``entry_save``:
permissions, checks and the audit trail are the web form's.

The package, by concern: ``columns`` (a registry's columns and how their cells read), ``export``, ``reading``
(the file's rows and its header), ``cells`` (a cell's value: dates, years, booleans, choices, references),
``lookups`` (what the cells name, read once per import) and ``importing`` (the all-or-nothing import).
"""

from yangfan.registries.exchange.columns import Column, registry_columns
from yangfan.registries.exchange.export import registry_export
from yangfan.registries.exchange.importing import ImportOutcome, registry_import

__all__ = ["Column", "ImportOutcome", "registry_columns", "registry_export", "registry_import"]
