"""Registries in and out of spreadsheets: every registry exported to XLSX or CSV, and imported back from them.

The file is what people keep the registries in before Yangfan: one row per entry, Chinese headers (the
fields' names), related things by what people write — the org unit by its code (or name), a sector or an
operator by its name (or code), a case, a VPN or a supplier by its name, several of them joined by “、”.

An import is all or nothing, like the data values' (``datavalues.services``): every bad row is reported
with its row number as a spreadsheet shows it (the header is row 1), its column and the reason, and nothing
is written unless every row is good. A row is matched to the entry it describes the way ``entry_save``
finds duplicates (a supplier by its 统一社会信用代码, a benchmark by case and year, anything else by name in
the same city, a carrier also by kind): a match with other values is updated, an identical one left as it
is, so importing the same file twice changes nothing. Each written row goes through ``entry_save``:
permissions, checks and the audit trail are the web form's.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import translation

from yangfan.accounts.permissions import may, restrict
from yangfan.audit.choices import AuditAction
from yangfan.audit.services import audit_record
from yangfan.core.errors import ImportInvalid, RowError
from yangfan.core.uscc import uscc_normalise, uscc_problem
from yangfan.documents.cells import restored
from yangfan.documents.tables import csv_bytes
from yangfan.documents.xlsx import display_width, table_workbook, workbook_bytes
from yangfan.registries.services import REGISTRIES, city_of, duplicate_of, entry_save, may_manage

# The columns of each registry's file, in order (the entry form's order). Headers and kinds come from the
# model fields; the header is the field's Chinese name whatever the user's language.
FIELDS = {
    "suppliers": "name credit_code org_unit sectors capabilities contact listed_on delisted_on published remark",
    "vpns": "name enterprise operator sector org_unit vpn_type commissioned_on retired_on remark",
    "cases": "name sector scenario enterprise org_unit suppliers operator network_form vpn stage started_on "
    "description figures media_url bloom_cup remark",
    "benchmarks": "case sector year org_unit published_on document revoked_on remark",
    "carriers": "kind name operator_org sector org_unit recognised_on recognised_by retired_on remark",
}
# what makes two rows the same entry (``services.duplicate_of``), as the duplicate row's message says it
SAME = {
    "suppliers": "统一社会信用代码相同",
    "benchmarks": "同一案例、同一评选年度",
    "carriers": "类别、名称相同且在同一市",
}
SAME_DEFAULT = "名称相同且在同一市"
JOIN = "、"
SPLIT = re.compile(r"[、，,；;\n]+")
YES, NO = "是", "否"
BOOLEANS = {word: True for word in ("是", "true", "yes", "y", "1", "√")} | {
    word: False for word in ("否", "false", "no", "n", "0", "×", "")
}
DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
DENIED = "无权登记该地区的条目"
SCALAR = frozenset({"text", "code", "date", "year", "bool", "choice"})


@dataclass(frozen=True)
class Column:
    """One column of a registry's file: the model field it holds, its header and how its cells read."""

    field: str
    header: str
    kind: str  # text, code, date, year, bool, choice, or the model a reference points at (see _kind)
    required: bool
    many: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, Chinese label)


@dataclass
class ImportOutcome:
    """How many rows of an import created, changed or left as they were an entry."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"新增 {self.created} 条，更新 {self.updated} 条，未变 {self.unchanged} 条"


def _kind(model_field) -> str:
    if model_field.is_relation:
        return model_field.related_model._meta.model_name  # orgunit, sector, operator, supplier, ...
    if model_field.name == "credit_code":
        return "code"
    if model_field.choices:
        return "choice"
    if isinstance(model_field, models.DateField):
        return "date"
    if isinstance(model_field, models.BooleanField):
        return "bool"
    if isinstance(model_field, models.PositiveSmallIntegerField):
        return "year"
    return "text"


def registry_columns(slug: str) -> list[Column]:
    """The columns of registry ``slug``'s file, in order."""
    model = REGISTRIES[slug]
    columns = []
    with translation.override("zh-hans"):
        for name in FIELDS[slug].split():
            f = model._meta.get_field(name)
            many = f.many_to_many
            columns.append(
                Column(
                    field=name,
                    header=str(f.verbose_name),
                    kind=_kind(f),
                    required=not (f.blank or many or isinstance(f, models.BooleanField)),
                    many=many,
                    choices=tuple((str(v), str(label)) for v, label in f.choices or ()),
                )
            )
    return columns


# ---------------------------------------------------------------------------------------------- export


def registry_export(slug: str, queryset, fmt: str) -> bytes:
    """The entries of ``queryset`` (of registry ``slug``) as an XLSX workbook or a CSV file (UTF-8 with BOM,
    so that Excel reads the Chinese). Same entries, same bytes: rows sorted by org unit code and then by their
    cells; several related names joined by “、” (sectors in the plan's order, suppliers by name); dates as
    2023-05-01 (date cells in XLSX)."""
    columns = registry_columns(slug)
    related = [c for c in columns if c.kind not in SCALAR]
    queryset = queryset.select_related(*[c.field for c in related if not c.many])
    queryset = queryset.prefetch_related(*[c.field for c in related if c.many])
    at = [c.field for c in columns].index("org_unit")
    rows = sorted(
        ([_export_cell(entry, c) for c in columns] for entry in queryset),
        key=lambda row: (str(row[at]), *map(str, row)),
    )
    if fmt == "csv":
        return _csv_bytes(columns, rows)
    if fmt == "xlsx":
        return _xlsx_bytes(slug, columns, rows)
    raise ValueError(f"unknown export format {fmt!r}")


def _export_cell(entry, column: Column):
    """A cell's value: text, or a date or a year as itself (an XLSX date cell, an ISO date in CSV)."""
    value = getattr(entry, column.field)
    if column.many:  # sectors in the plan's order, suppliers by name
        return JOIN.join(
            v.name for v in sorted(value.all(), key=lambda v: (getattr(v, "position", 0), v.name))
        )
    if value is None:
        return ""
    if column.kind == "choice":
        return dict(column.choices).get(value, value)
    if column.kind == "bool":
        return YES if value else NO
    if column.kind in SCALAR:
        return value
    return value.code if column.kind == "orgunit" else value.name


def _csv_bytes(columns: list[Column], rows: list[list]) -> bytes:
    return csv_bytes([c.header for c in columns], rows)


def _xlsx_bytes(slug: str, columns: list[Column], rows: list[list]) -> bytes:
    with translation.override("zh-hans"):
        title = str(REGISTRIES[slug]._meta.verbose_name_plural)
    widths = [
        min(60, max([display_width(c.header), *(display_width(str(row[i])) for row in rows)]) + 2)
        for i, c in enumerate(columns)
    ]
    return workbook_bytes(table_workbook(title, [c.header for c in columns], rows, widths=widths))


# ---------------------------------------------------------------------------------------------- import


class _DryRun(Exception):
    pass


@dataclass
class _Row:
    """One data row read and checked: model field values (references already resolved) and many-to-many
    values, for the columns the file has."""

    number: int
    values: dict = field(default_factory=dict)
    many: dict = field(default_factory=dict)
    cells: dict = field(default_factory=dict)  # field -> the file's header for it, for messages


def registry_import(
    *, slug: str, content: bytes, file: str, actor, dry_run: bool = False, request=None
) -> ImportOutcome:
    """Import the rows of an XLSX or CSV file (UTF-8, or GB18030 as Chinese Excel saves CSV) into registry
    ``slug``, as ``actor``, in one transaction: raises ``ImportInvalid`` with every bad row and writes nothing
    when any row is bad. A dry run checks everything the real import would, then rolls it back.

    A file may leave out optional columns: an entry it updates keeps those values."""
    if slug not in REGISTRIES:
        raise ImportInvalid(file, [RowError(1, "", f"未知的登记簿“{slug}”")])
    columns = registry_columns(slug)
    table = _read(content, file)
    if len(table) < 2:
        raise ImportInvalid(file, [RowError(1, "", "文件没有数据行")])
    header = table[0][1]
    mapping = _header(header, columns, file)
    width = max(i for i, cell in enumerate(header) if not _blank(cell)) + 1
    lookups = _Lookups(actor)
    errors: list[RowError] = []
    rows: list[_Row] = []
    seen: dict = {}
    for number, cells in table[1:]:
        row, problems = _parse(number, cells, mapping, width, lookups)
        if not problems:
            key = _identity(slug, row, lookups)
            if key in seen:
                what = SAME.get(slug, SAME_DEFAULT)
                problems.append(
                    RowError(number, "", f"与第 {seen[key]} 行是同一条目（{what}），请合并为一行")
                )
            else:
                seen[key] = number
        errors += problems
        if not problems:
            rows.append(row)
    outcome = ImportOutcome()
    try:
        with transaction.atomic():
            for row in rows:
                errors += _apply(slug, row, actor, request, outcome, lookups)
            if errors:
                raise ImportInvalid(file, sorted(errors, key=lambda e: e.row))
            if dry_run:
                raise _DryRun
            if outcome.created or outcome.updated:
                audit_record(
                    action=AuditAction.IMPORT,
                    actor=actor,
                    request=request,
                    object_type=f"registries.{REGISTRIES[slug]._meta.model_name}",
                    object_repr=file,
                    detail=str(outcome),
                )
    except _DryRun:
        pass
    return outcome


def _read(content: bytes, file: str) -> list[tuple[int, list]]:
    """The file's non-empty rows with their row numbers; cells as the file holds them (XLSX: typed)."""
    name = file.lower()
    if name.endswith(".xls") or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportInvalid(file, [RowError(1, "", "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV")])
    if name.endswith(".xlsx") or content.startswith(b"PK\x03\x04"):
        rows = _read_xlsx(content, file)
    else:
        rows = _read_csv(content)
    return [(n, row) for n, row in enumerate(rows, start=1) if not all(_blank(v) for v in row)]


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_csv(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly any bytes
        text = content.decode("gb18030", errors="replace")
    return list(csv.reader(io.StringIO(text, newline="")))


def _read_xlsx(content: bytes, file: str) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise ImportInvalid(file, [RowError(1, "", f"不是有效的 XLSX 文件：{exc}")]) from None
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def _key(text) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split()).lower()


def _header(cells: list, columns: list[Column], file: str) -> dict[int, tuple[Column, str]]:
    """The file's columns by position: a header is a field's Chinese name or its field name."""
    known = {}
    for column in columns:
        known[_key(column.header)] = column
        known[_key(column.field)] = column
    mapping: dict[int, tuple[Column, str]] = {}
    problems = []
    placed: dict[str, str] = {}
    for index, cell in enumerate(cells):
        header = "" if cell is None else str(cell).strip()
        if not header or _key(header) == "序号":  # a row number column, as many sheets have
            continue
        column = known.get(_key(header))
        if column is None:
            problems.append(f"未知的列“{header}”")
        elif column.field in placed:
            problems.append(f"列“{header}”与“{placed[column.field]}”重复")
        else:
            placed[column.field] = header
            mapping[index] = (column, header)
    missing = [c.header for c in columns if c.required and c.field not in placed]
    if missing:
        problems.append("缺少列：" + JOIN.join(missing))
    if problems:
        expected = JOIN.join(c.header for c in columns)
        raise ImportInvalid(file, [RowError(1, "", f"{p}（本登记簿的列：{expected}）") for p in problems])
    return mapping


class _Lookups:
    """What the cells name, read once per import: org units and operators by code or name, sectors by code
    or name (the same sector may be in several plans: the latest plan's comes first), and entries of other
    registries by name, of those ``actor`` may read (all of them for the command line's ``None``)."""

    def __init__(self, actor=None):
        self.actor = actor
        from yangfan.actionplans.models import Operator, Sector
        from yangfan.orgunits.models import OrgUnit

        self.orgunit = _index(OrgUnit.objects.all(), ("code", "name"))
        self.operator = _index(Operator.objects.all(), ("code", "name"))
        sectors = Sector.objects.select_related("plan").order_by("-plan__end", "plan__code")
        self.sector = _index(sectors, ("code", "name"))
        self._entries: dict[str, dict] = {}
        self._cities: dict[int, object] = {}
        self._scope: dict[tuple, bool] = {}

    def entries(self, kind: str) -> dict[str, list]:
        """Entries of another registry by name (suppliers also by credit code)."""
        if kind not in self._entries:
            from yangfan.registries.models import ApplicationCase, IndustryVpn, Supplier

            models_ = {"supplier": Supplier, "applicationcase": ApplicationCase, "industryvpn": IndustryVpn}
            model = models_[kind]
            keys = ("credit_code", "name") if kind == "supplier" else ("name",)
            rows = model.objects.select_related("org_unit").order_by("pk")
            if self.actor is not None:
                rows = restrict(rows, self.actor, "registries.view")
            self._entries[kind] = _index(rows, keys)
        return self._entries[kind]

    def city(self, unit):
        if unit.pk not in self._cities:
            self._cities[unit.pk] = city_of(unit)
        return self._cities[unit.pk]

    def may(self, actor, permission: str, unit) -> bool:
        key = (permission, unit.pk)
        if key not in self._scope:
            self._scope[key] = (
                may_manage(actor, unit) if permission == "registries.manage" else may(actor, permission, unit)
            )
        return self._scope[key]


def _index(objects, keys: tuple[str, ...]) -> dict[str, list]:
    found: dict[str, list] = {}
    for obj in objects:
        for key in keys:
            bucket = found.setdefault(_key(getattr(obj, key)), [])
            if obj not in bucket:
                bucket.append(obj)
    return found


def _parse(
    number: int, cells: list, mapping: dict, width: int, lookups: _Lookups
) -> tuple[_Row, list[RowError]]:
    """One row checked cell by cell: every problem of the row, not only the first. References to other
    entries (a benchmark's case, a case's VPN) are looked for in the row's city first."""
    row = _Row(number)
    problems: list[RowError] = []
    beyond = [v for v in cells[width:] if not _blank(v)]
    if beyond:
        problems.append(RowError(number, "", f"比表头多出 {len(beyond)} 个单元格"))
    placed = {column.field: (index, column, header) for index, (column, header) in mapping.items()}
    # the org unit first: references to other entries are looked for in its city
    order = sorted(placed.values(), key=lambda p: p[1].field != "org_unit")
    for index, column, header in order:
        raw = cells[index] if index < len(cells) else None
        row.cells[column.field] = header
        try:
            value = _cell(raw, column, header, lookups, row)
        except ValueError as exc:
            problems.append(RowError(number, header, str(exc)))
            continue
        if column.many:
            row.many[column.field] = value
        else:
            row.values[column.field] = value
    position = {header: index for index, (_, header) in mapping.items()}
    return row, sorted(problems, key=lambda e: position.get(e.column, -1))


def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat(sep=" ")
    return restored(str(raw).strip())  # the export's guard against formulas taken off


def _cell(raw, column: Column, header: str, lookups: _Lookups, row: _Row):
    """The model value of one cell, or ``ValueError`` with the reason."""
    text = _text(raw)
    if not text and column.required:
        raise ValueError(f"缺少{header}")
    kind = column.kind
    if kind == "text":
        return text
    if kind == "code":
        code = uscc_normalise(text)
        problem = uscc_problem(code)
        if problem:
            raise ValueError(problem)
        return code
    if kind == "bool":
        if _key(text) not in BOOLEANS:
            raise ValueError(f"“{text}”应为“是”或“否”")
        return BOOLEANS[_key(text)]
    if not text:
        return [] if column.many else None
    if kind == "date":
        return _date(raw, text)
    if kind == "year":
        year = unicodedata.normalize("NFKC", text).removesuffix("年").strip()
        if not (year.isdigit() and len(year) == 4):
            raise ValueError(f"“{text}”不是有效的年度；应写作 2023")
        return int(year)
    if kind == "choice":
        for value, label in column.choices:
            if _key(text) in (_key(value), _key(label)):
                return value
        raise ValueError(
            f"“{text}”不是有效的{header}；可选：" + JOIN.join(label for _, label in column.choices)
        )
    if column.many:
        names = [n.strip() for n in SPLIT.split(text) if n.strip()]
        return [_reference(name, kind, header, lookups, row) for name in dict.fromkeys(names)]
    return _reference(text, kind, header, lookups, row)


def _date(raw, text: str) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    normal = unicodedata.normalize("NFKC", text).strip()
    serial = raw if isinstance(raw, int | float) and not isinstance(raw, bool) else None
    if serial is None and re.fullmatch(r"\d{5}", normal):
        serial = int(normal)
    if serial is not None and 1 <= serial < 2958466:  # a date as Excel counts days
        from openpyxl.utils.datetime import from_excel

        return from_excel(serial).date()
    match = DATE_TEXT.fullmatch(normal) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", normal)
    if match:
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            pass
    raise ValueError(f"“{text}”不是有效的日期；应写作 2023-05-01 或 2023/5/1")


WHAT = {"orgunit": "地区", "operator": "运营商", "sector": "行业"}
NAMED = {"supplier": "解决方案供应商", "applicationcase": "应用案例", "industryvpn": "行业虚拟专网"}


def _reference(text: str, kind: str, header: str, lookups: _Lookups, row: _Row):
    """The object a cell names. A sector may come back as several candidates, the same sector of several
    plans (``_Candidates``)."""
    if kind in WHAT:
        found = getattr(lookups, kind).get(_key(text), [])
        what = WHAT[kind]
        if not found:
            raise ValueError(f"未知{what}“{text}”")
        if kind == "sector" and len({s.code for s in found}) == 1:
            return _Candidates(found)
        if len(found) > 1:
            raise ValueError(f"{what}名称“{text}”不唯一，请改用代码")
        return found[0]
    found = lookups.entries(kind).get(_key(text), [])
    what = NAMED[kind]
    unit = row.values.get("org_unit")
    if len(found) > 1 and unit is not None:  # the one in the row's own city, when names repeat
        city = lookups.city(unit)
        found = [e for e in found if lookups.city(e.org_unit) == city] or found
    if not found:
        raise ValueError(f"未找到{what}“{text}”，请先登记")
    if len(found) > 1:
        hint = "请改用统一社会信用代码" if kind == "supplier" else "请在同一市登记或改名"
        raise ValueError(f"{what}“{text}”不止一个（{JOIN.join(e.org_unit.name for e in found)}），{hint}")
    return found[0]


class _Candidates(tuple):
    """The same sector as several plans hold it: an entry already pointing at one of them keeps it, a new
    entry gets the first (the latest plan's)."""

    def pick(self, current_pk=None):
        return next((c for c in self if c.pk == current_pk), self[0])


def _pick_among(value, current: set):
    """One of several candidates for a many-to-many value: the one already set, if any."""
    if not isinstance(value, _Candidates):
        return value
    return value.pick(next((c.pk for c in value if c.pk in current), None))


def _first(value):
    return value.pick() if isinstance(value, _Candidates) else value


def _identity(slug: str, row: _Row, lookups: _Lookups) -> tuple:
    """What ``services.duplicate_of`` compares, as a key: two rows of a file with the same key are one entry."""
    values = row.values
    if slug == "suppliers":
        return (values["credit_code"],)
    if slug == "benchmarks":
        return (values["case"].pk, values["year"])
    city = lookups.city(values["org_unit"])
    key = (values["name"], city.pk if city else None)
    return (values["kind"], *key) if slug == "carriers" else key


def _apply(slug: str, row: _Row, actor, request, outcome: ImportOutcome, lookups: _Lookups) -> list[RowError]:
    """Create, update or leave the entry ``row`` describes; the row's errors, if any."""
    model = REGISTRIES[slug]
    unit_header = row.cells["org_unit"]
    probe = model(**{name: _first(value) for name, value in row.values.items()})
    existing = duplicate_of(probe)
    many = {name: [_first(v) for v in values] for name, values in row.many.items()}
    if existing is None:
        entry, units = probe, [probe.org_unit]
    else:
        entry, units = existing, [existing.org_unit]
        changed = False
        for name, value in row.values.items():
            f = model._meta.get_field(name)
            if isinstance(value, _Candidates):
                value = value.pick(getattr(existing, f.attname))
            if not _same(existing, f, value):
                setattr(entry, name, value)
                changed = True
        for name, values in row.many.items():
            current = set(getattr(existing, name).values_list("pk", flat=True))
            many[name] = [_pick_among(v, current) for v in values]
            changed |= current != {v.pk for v in many[name]}
        if not changed:
            if not lookups.may(actor, "registries.view", existing.org_unit):
                return [RowError(row.number, unit_header, DENIED)]
            outcome.unchanged += 1
            return []
        units.append(entry.org_unit)
    if not all(lookups.may(actor, "registries.manage", unit) for unit in units):
        return [RowError(row.number, unit_header, DENIED)]
    try:
        entry_save(actor=actor, entry=entry, m2m=many or None, request=request)
    except PermissionDenied:
        return [RowError(row.number, unit_header, DENIED)]
    except ValidationError as exc:
        return _validation_errors(row, exc, model)
    if existing is None:
        outcome.created += 1
    else:
        outcome.updated += 1
    return []


def _same(entry, model_field, value) -> bool:
    """Does ``entry`` already hold ``value`` (an object, for a reference) in ``model_field``?"""
    stored = getattr(entry, model_field.attname)
    return stored == (value.pk if model_field.is_relation and value is not None else value)


def _validation_errors(row: _Row, exc: ValidationError, model) -> list[RowError]:
    """The model's own checks (``full_clean`` in ``entry_save``), each under the column of its field."""
    if not hasattr(exc, "error_dict"):
        return [RowError(row.number, "", message) for message in exc.messages]
    errors = []
    for name, problems in exc.message_dict.items():
        if name == NON_FIELD_ERRORS:
            column = ""
        else:
            column = row.cells.get(name)
            if column is None:
                with translation.override("zh-hans"):
                    column = str(model._meta.get_field(name).verbose_name)
        errors += [RowError(row.number, column, message) for message in problems]
    return errors
