"""Writing the documents people download: spreadsheets (XLSX), comma-separated files (CSV) and Word reports.

Framework-free: these modules know cells and bytes, not models or requests. Every export goes through them, so
that each gets the same three things: the same data gives the same bytes, a cell a spreadsheet program would
run as a formula is written as text (``cells.defused``), and Chinese opens as Chinese in Excel (a CSV file
carries a byte-order mark). Word files (``word``) are laid out per GB/T 9704-2012, the page every 公文 and
report of a Chinese office is printed on.
"""
