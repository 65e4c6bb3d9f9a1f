"""The aggregations, written once in SQL (DuckDB's dialect) and run as they are on DuckDB or transpiled for
Apache Spark by SQLGlot (``engines.py``). Each returns small, exact integer tables; turning them into data
values (month-end stocks, bytes to GB) happens in Python, once, for both engines (``aggregate.py``).

Every query reads the view ``raw`` (the files of one kind, the contract's columns under their own names, plus
``filename``; an inventory also ``_kept``, true for the rows of an earlier run's inventory part); the small tables
``counties(code, number)`` and ``sectors(name)`` come from the plan (joined, not sub-queried: Spark takes
``IN (SELECT …)`` only in a filter). A row that breaks the contract gets a ``reason`` code (``REASONS`` says it in
Chinese) and is counted, never aggregated. Text is compared as the file holds it: CSV is read as text, Parquet as
typed, and ``TRY_CAST`` takes either.

A duplicated key (a SIM card, a county × month × operator of the subscriber counts, a site in one operator's
inventory) rejects every row that carries it: which copy is right cannot be told, and keeping "the first" would
depend on the engine. A site in the inventories of several operators is one station if their rows agree
(``stations_checked``).

``own`` is the operator whose user sends the files (an operator's upload): a row of another known operator is
then rejected as ``foreign``, before anything else is checked (it is not that operator's to send); a row of an
unknown operator is still ``operator``. The rows of kept inventory parts are never foreign: each is its own
operator's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from yangfan.pipeline.contracts import COORDINATE_TOLERANCE, KINDS, OPERATOR_NAMES, SHARED_WITH_SEPARATORS

REASONS = {
    "foreign": "不属于本运营商的数据",
    "operator": "运营商未知",
    "rat": "制式不是 4G、5G 或 NB-IoT",
    "county": "区县代码未知",
    "date": "日期无效",
    "dates": "停用日期早于启用日期",
    "bytes": "字节数为负或无效",
    "site": "小区所属基站不在基站清单中",
    "site_id": "缺少基站编号",
    "sim": "缺少卡号",
    "shared": "共享运营商未知",
    "duplicate": "编号重复（同一编号出现多次，均不计入）",
    "disagree": "共享站址各运营商的记录不一致（均不计入）",
    "month": "月份无效（应为 YYYY-MM 或 YYYYMM）",
    "users": "用户数为负或无效",
    "users_5g": "5G用户数大于移动电话用户总数",
}

RATS_SQL = "('4G', '5G', 'NB-IOT')"
SEPARATORS_SQL = "'[" + SHARED_WITH_SEPARATORS + "]'"
# Coordinates are compared as doubles (the same IEEE arithmetic on both engines); the slack keeps a difference of
# exactly the tolerance, written in decimals (108.901 − 108.900 = 0.0010000000000047748), within it.
_TOLERANCE_SQL = f"CAST({COORDINATE_TOLERANCE + 1e-9!r} AS DOUBLE)"


def _text(column: str) -> str:
    """A column as trimmed text, NULL when empty (CSV reads empty cells as NULL already; Parquet may not)."""
    return f"NULLIF(TRIM(CAST({column} AS VARCHAR)), '')"


def _month(day: str) -> str:
    return f"(YEAR({day}) * 100 + MONTH({day}))"


def operator_case(expression: str, aliases: Mapping[str, str]) -> str:
    """``expression`` (an operator as a file names it) mapped to the plan's operator code, or NULL."""
    whens = " ".join(f"WHEN {quote(alias)} THEN {quote(code)}" for alias, code in sorted(aliases.items()))
    return f"CASE {expression} {whens} ELSE NULL END"


def quote(text: str) -> str:
    """A text as an SQL string literal (both engines)."""
    return "'" + text.replace("'", "''") + "'"


# -- base stations -------------------------------------------------------------------------------------------
def _foreign(operator: str, own: str | None, kept: str | None = None) -> str:
    """A CASE branch: the row (operator code ``operator``) is another operator's, in an upload of ``own``'s;
    ``kept`` names the column that marks the rows of kept inventory parts (never foreign)."""
    if own is None:
        return ""
    spared = f" AND NOT {kept}" if kept else ""
    return f"WHEN {operator} <> {quote(own)}{spared} THEN 'foreign'"


def stations_checked(aliases: Mapping[str, str], own: str | None = None) -> str:
    """Every inventory row with its reason (NULL: the row keeps the contract) and, for a row rejected as
    ``disagree``, its ``detail`` (which other operators' rows differ, and in what).

    A row is first checked on its own (foreign, site, operator, the same operator's site twice, RAT, county,
    dates, shared operators). The rows that pass are then compared site by site across operators: they must
    agree on the county, the RAT, both dates (an empty decommissioning date equals only another) and the place
    (longitude and latitude each within ``COORDINATE_TOLERANCE``; a row without a coordinate, or with one that is
    not a number, does not disagree on it). If any two disagree, every such row of the site is rejected: which
    operator is right cannot be told. A row rejected on its own takes no part: it is listed with its own reason,
    and the other operators' rows of its site stand or fall among themselves.

    Whether a site's rows disagree is one grouping by site (the spread of each attribute: two rows disagree on a
    coordinate exactly when its largest and smallest value do); only the few disputed sites have their rows
    compared pair by pair, for the detail."""
    site = _text("site_id")
    codes = list(dict.fromkeys(aliases.values()))
    tolerance = _TOLERANCE_SQL
    tests = (
        ("a._county <> o._county", "区县"),
        ("a._rat <> o._rat", "制式"),
        ("a._c_on <> o._c_on", "启用日期"),
        ("a._d_on IS DISTINCT FROM o._d_on", "停用日期"),
        (f"ABS(a._lon - o._lon) > {tolerance} OR ABS(a._lat - o._lat) > {tolerance}", "坐标"),
    )
    differences = ", ".join(f"CASE WHEN {test} THEN {quote(name)} END" for test, name in tests)
    seen = ", ".join(
        f"MAX(CASE WHEN other = {quote(code)} THEN {quote('另见' + OPERATOR_NAMES.get(code, code) + '的记录：')}"
        " || differ || '不同' END)"
        for code in codes
    )
    among_others = quote("本记录与其他运营商的记录均一致，但其他运营商的记录之间坐标不一致")
    copies = "COUNT(*)" if own is None else f"COUNT(CASE WHEN _op = {quote(own)} OR _kept THEN 1 END)"
    return f"""
    WITH b AS (
        SELECT *, {site} AS _site, {operator_case(_text("operator"), aliases)} AS _op,
            UPPER({_text("rat")}) AS _rat, {_text("county_code")} AS _county,
            TRY_CAST({_text("commissioned_on")} AS DATE) AS _c_on,
            {_text("decommissioned_on")} AS _d_raw, TRY_CAST({_text("decommissioned_on")} AS DATE) AS _d_on,
            {_text("shared_with")} AS _shared, TRY_CAST({_text("longitude")} AS DOUBLE) AS _lon,
            TRY_CAST({_text("latitude")} AS DOUBLE) AS _lat
        FROM raw
    ), counted AS (  -- one operator's rows of a site; another operator's rows in an upload are no copies
        SELECT *, {copies} OVER (PARTITION BY _site, _op) AS _copies FROM b
    ), tokens AS (  -- by the text of ``shared_with``: a few distinct texts, however many rows
        SELECT _shared, NULLIF(TRIM(token), '') AS token
        FROM (SELECT _shared, UNNEST(STRING_SPLIT_REGEX(_shared, {SEPARATORS_SQL})) AS token
              FROM (SELECT DISTINCT _shared FROM b WHERE _shared IS NOT NULL) AS d) AS t
    ), unknown_shares AS (
        SELECT DISTINCT _shared FROM tokens
        WHERE token IS NOT NULL AND {operator_case("token", aliases)} IS NULL
    ), alone AS (
        SELECT c.*, CASE
            {_foreign("c._op", own, "c._kept")}
            WHEN c._site IS NULL THEN 'site_id'
            WHEN c._op IS NULL THEN 'operator'
            WHEN c._copies > 1 THEN 'duplicate'
            WHEN c._rat IS NULL OR c._rat NOT IN {RATS_SQL} THEN 'rat'
            WHEN k.code IS NULL THEN 'county'
            WHEN c._c_on IS NULL OR (c._d_raw IS NOT NULL AND c._d_on IS NULL) THEN 'date'
            WHEN c._d_on < c._c_on THEN 'dates'
            WHEN u._shared IS NOT NULL THEN 'shared'
            END AS _alone
        FROM counted AS c LEFT JOIN unknown_shares AS u ON u._shared = c._shared
            LEFT JOIN counties AS k ON k.code = c._county
    ), valid AS (  -- at most one row a site and operator: the same operator's second row is a duplicate
        SELECT _site, _op, _county, _rat, _c_on, _d_on, _lon, _lat FROM alone WHERE _alone IS NULL
    ), disputed AS (
        SELECT _site FROM valid GROUP BY _site
        HAVING COUNT(*) > 1 AND (MIN(_county) <> MAX(_county) OR MIN(_rat) <> MAX(_rat)
            OR MIN(_c_on) <> MAX(_c_on) OR MIN(_d_on) <> MAX(_d_on) OR COUNT(_d_on) NOT IN (0, COUNT(*))
            OR MAX(_lon) - MIN(_lon) > {tolerance} OR MAX(_lat) - MIN(_lat) > {tolerance})
    ), pairs AS (
        SELECT a._site, a._op, o._op AS other, NULLIF(CONCAT_WS('、', {differences}), '') AS differ
        FROM valid AS a JOIN disputed AS x ON x._site = a._site
            JOIN valid AS o ON o._site = a._site AND o._op <> a._op
    ), details AS (
        SELECT _site, _op, NULLIF(CONCAT_WS('；', {seen}), '') AS detail FROM pairs GROUP BY _site, _op
    )
    SELECT a.*, CASE WHEN a._alone IS NOT NULL THEN a._alone WHEN x._site IS NOT NULL THEN 'disagree' END AS reason,
        CASE WHEN a._alone IS NULL AND x._site IS NOT NULL THEN COALESCE(t.detail, {among_others}) END AS detail
    FROM alone AS a LEFT JOIN disputed AS x ON x._site = a._site
        LEFT JOIN details AS t ON t._site = a._site AND t._op = a._op AND a._alone IS NULL
    """


# The checked rows of an inventory or a SIM register are kept as a table (``checked``: the columns the events
# need and the reason) and read more than once: for the rejects by reason, and for the events. An inventory's are
# kept whole (a few hundred thousand rows a province), so that its rejects are listed from them, not checked again.
def stations_kept(aliases: Mapping[str, str], own: str | None = None) -> str:
    listed = ", ".join(KINDS["base-stations"].columns)
    return (
        f"SELECT reason, _site, _op, _rat, _county, _c_on, _d_on, _shared, _kept, filename, {listed}, detail"
        f" FROM ({stations_checked(aliases, own)}) AS c"
    )


def sims_kept(aliases: Mapping[str, str], own: str | None = None) -> str:
    return (
        f"SELECT reason, _op, _rat, _county, _industry, _a_on, _d_on FROM ({sims_checked(aliases, own)}) AS c"
    )


def checked_reasons() -> str:
    return "SELECT reason, COUNT(*) FROM checked GROUP BY reason"


def _site_shares(aliases: Mapping[str, str], rows: str, carry: str = "") -> str:
    """(site, operator that lists it, operator its ``shared_with`` names) of ``rows`` (columns site, op,
    shared, and ``carry``: more columns, each with a leading comma); a name that is no operator is left out (its
    row was rejected as ``shared`` already)."""
    return f"""
        SELECT site, op, {operator_case("NULLIF(TRIM(token), '')", aliases)} AS named{carry}
        FROM (SELECT site, op, UNNEST(STRING_SPLIT_REGEX(shared, {SEPARATORS_SQL})) AS token{carry}
              FROM ({rows}) AS r WHERE shared IS NOT NULL) AS t
    """


def stations_events(aliases: Mapping[str, str]) -> str:
    """5G sites coming into and going out of service, by county, month and operator (NULL: the site once,
    however many operators share it or list it). ``delta`` is +1 for commissioning, -1 for decommissioning.

    A site counts for each operator that lists it and each its rows name in ``shared_with``. The valid rows of one
    site agree on its county and dates (``stations_checked``), so the distinct (site, county, dates) are one row
    a site: the totals do not grow with the number of operators that send it."""
    good = (
        "SELECT _site AS site, _op AS op, _shared AS shared FROM checked WHERE reason IS NULL AND _rat = '5G'"
    )
    return f"""
    WITH sites AS (
        SELECT DISTINCT _site AS site, _county AS county, _c_on AS c_on, _d_on AS d_on
        FROM checked WHERE reason IS NULL AND _rat = '5G'
    ), shares AS ({_site_shares(aliases, good)}
    ), site_operators AS (
        SELECT DISTINCT site, op FROM (SELECT site, op FROM ({good}) AS g UNION ALL
                                       SELECT site, named FROM shares WHERE named IS NOT NULL) AS o
    ), per_operator AS (
        SELECT s.site, s.county, o.op, s.c_on, s.d_on FROM sites AS s JOIN site_operators AS o ON o.site = s.site
    ), events AS (
        SELECT county, op, {_month("c_on")} AS month, 1 AS delta FROM per_operator
        UNION ALL SELECT county, op, {_month("d_on")}, -1 FROM per_operator WHERE d_on IS NOT NULL
        UNION ALL SELECT county, NULL, {_month("c_on")}, 1 FROM sites
        UNION ALL SELECT county, NULL, {_month("d_on")}, -1 FROM sites WHERE d_on IS NOT NULL
    )
    SELECT county, op, month, delta, COUNT(*) FROM events GROUP BY county, op, month, delta
    """


def inventory_operators(aliases: Mapping[str, str], own: str | None = None) -> str:
    """The operators whose rows the new inventory files hold (view ``raw_new``): the inventories they replace.
    In an upload of ``own``'s, ``own`` alone (another operator's rows are rejected, not taken as its inventory)."""
    wanted = "" if own is None else f" AND _op = {quote(own)}"
    return (
        f"SELECT DISTINCT _op FROM (SELECT {operator_case(_text('operator'), aliases)} AS _op FROM raw_new) AS r"
        f" WHERE _op IS NOT NULL{wanted} ORDER BY _op"
    )


def _present() -> str:
    """The operators that have rows in the inventory checked (new or kept; not another's rows of an upload), with
    the file they are in (a kept part is its own source, whatever its file was called)."""
    return (
        "SELECT DISTINCT _op AS op, filename, _kept AS kept FROM checked"
        " WHERE _op IS NOT NULL AND COALESCE(reason, '') <> 'foreign'"
    )


def _named(aliases: Mapping[str, str]) -> str:
    good = (
        "SELECT _site AS site, _op AS op, _shared AS shared, filename, _kept AS kept FROM checked"
        " WHERE reason IS NULL"
    )
    return (
        f"SELECT DISTINCT site, op, named, filename, kept FROM ({_site_shares(aliases, good, ', filename, kept')}) AS s"
        " WHERE named IS NOT NULL AND named <> op"
    )


def stations_unlisted(aliases: Mapping[str, str]) -> str:
    """(site, operator, operator named) for every valid row that names in ``shared_with`` an operator whose own
    inventory is here (in another file than the row's) but has no row of that site (of whatever validity): a
    warning, the site still counts. A merged inventory (one file, one row per site naming its sharers) warns of
    nothing: its sites are listed once by design."""
    listed = (
        "SELECT DISTINCT _site AS site, _op AS op FROM checked"
        " WHERE _site IS NOT NULL AND _op IS NOT NULL AND COALESCE(reason, '') <> 'foreign'"
    )
    return f"""
    SELECT DISTINCT n.site, n.op, n.named FROM ({_named(aliases)}) AS n
        JOIN ({_present()}) AS p ON p.op = n.named AND (p.filename <> n.filename OR p.kept <> n.kept)
        LEFT JOIN ({listed}) AS l ON l.site = n.site AND l.op = n.named
    WHERE l.site IS NULL
    """


def stations_absent(aliases: Mapping[str, str]) -> str:
    """The operators valid rows name in ``shared_with`` that have no row at all here (no inventory of theirs)."""
    return f"""
    SELECT DISTINCT n.named FROM ({_named(aliases)}) AS n LEFT JOIN ({_present()}) AS p ON p.op = n.named
    WHERE p.op IS NULL ORDER BY n.named
    """


def sites_table(aliases: Mapping[str, str]) -> str:
    """The inventory's valid sites (any RAT) with their county, each site once (its valid rows agree on the
    county): cell traffic is counted where its site is, and a site twice would count its traffic twice. The county
    is its number in ``counties`` (an integer joins and groups tens of millions of traffic rows a quarter faster
    than its code as text); ``aggregate`` maps it back."""
    return f"""
    SELECT DISTINCT c._site AS site_id, CAST(k.number AS INT) AS county
    FROM ({stations_checked(aliases)}) AS c JOIN counties AS k ON k.code = c._county
    WHERE c.reason IS NULL
    """


def stations_valid() -> str:
    """The valid sites of the inventory just checked (``checked``), to keep for cell traffic: what
    ``sites_table`` computes, by county code."""
    return "SELECT DISTINCT _site AS site_id, _county AS county_code FROM checked WHERE reason IS NULL"


def sites_kept() -> str:
    """The table ``sites`` by county code, to keep."""
    return "SELECT s.site_id, k.code AS county_code FROM sites AS s JOIN counties AS k ON CAST(k.number AS INT) = s.county"


def inventory_part(
    present: Sequence[str], aliases: Mapping[str, str], names: Mapping[str, str], operator: str
) -> str:
    """One operator's rows of the new inventory files (view ``raw_files``, DuckDB only) as the files hold them: the
    contract's columns as text (NULL where a file leaves an optional one out) and ``source_file``, the base name
    of the file each row came from (``names``: the path the engine read, which may be a UTF-8 copy, to it)."""
    columns = ", ".join(
        f"CAST({c} AS VARCHAR) AS {c}" if c in present else f"CAST(NULL AS VARCHAR) AS {c}"
        for c in KINDS["base-stations"].columns
    )
    source = " ".join(f"WHEN {quote(path)} THEN {quote(name)}" for path, name in sorted(names.items()))
    return (
        f"SELECT {columns}, CASE filename {source} END AS source_file FROM raw_files"
        f" WHERE {operator_case(_text('operator'), aliases)} = {quote(operator)}"
    )


# -- cell traffic --------------------------------------------------------------------------------------------
def _traffic_checked(aliases: Mapping[str, str], day_column: str, own: str | None = None) -> str:
    # The hot path (tens of millions of rows): no TRIM, no text casts beyond what the reason needs.
    return f"""
    WITH t AS (
        SELECT *, {operator_case("operator", aliases)} AS _op, UPPER(rat) AS _rat,
            TRY_CAST({day_column} AS DATE) AS _day, TRY_CAST(dl_bytes AS BIGINT) AS _dl,
            TRY_CAST(ul_bytes AS BIGINT) AS _ul, CAST(site_id AS VARCHAR) AS _site
        FROM raw
    )
    SELECT t.*, s.county AS _county, CASE
        {_foreign("t._op", own)}
        WHEN t._op IS NULL THEN 'operator'
        WHEN t._rat IS NULL OR t._rat NOT IN {RATS_SQL} THEN 'rat'
        WHEN t._day IS NULL THEN 'date'
        WHEN t._dl IS NULL OR t._ul IS NULL OR t._dl < 0 OR t._ul < 0 THEN 'bytes'
        WHEN s.county IS NULL THEN 'site'
        END AS reason
    FROM t LEFT JOIN sites AS s ON s.site_id = t._site
    """


def traffic_totals(aliases: Mapping[str, str], day_column: str = "date") -> str:
    """Bytes by the county of the cell's site, month, operator and RAT as the files write them, with the rows
    and the rows of bad byte counts in each group and the first and last day seen: one pass over the files.

    Operators and RATs are grouped as written and mapped after the grouping (a few dozen groups, not tens of
    millions of rows); ``aggregate`` gives each rejected row its reason in the order ``_traffic_checked``
    does: foreign, operator, RAT, date, bytes, site."""
    bad = "_dl IS NULL OR _ul IS NULL OR _dl < 0 OR _ul < 0"
    grouped = f"""
        SELECT s.county, {_month("_day")} AS month, t.operator, t.rat, COUNT(*) AS n,
            COUNT(*) FILTER (WHERE {bad}) AS bad_bytes, SUM(_dl + _ul) FILTER (WHERE NOT ({bad})) AS bytes,
            MIN(_day) AS first_day, MAX(_day) AS last_day
        FROM (SELECT operator, rat, TRY_CAST({day_column} AS DATE) AS _day, TRY_CAST(dl_bytes AS BIGINT) AS _dl,
                     TRY_CAST(ul_bytes AS BIGINT) AS _ul, CAST(site_id AS VARCHAR) AS _site FROM raw) AS t
        LEFT JOIN sites AS s ON s.site_id = t._site
        GROUP BY s.county, {_month("_day")}, t.operator, t.rat
    """
    return f"""
    SELECT {operator_case("operator", aliases)} AS op, UPPER(rat) AS rat, county, month, n, bad_bytes, bytes,
        first_day, last_day
    FROM ({grouped}) AS g
    """


# -- IoT SIM cards -------------------------------------------------------------------------------------------
def sims_checked(aliases: Mapping[str, str], own: str | None = None) -> str:
    sim = _text("sim_hash")
    op = operator_case(_text("operator"), aliases)
    ours = "" if own is None else f" AND COALESCE({op} = {quote(own)}, TRUE)"  # another's card is not a copy
    return f"""
    WITH s AS (
        SELECT *, {sim} AS _sim, {op} AS _op,
            UPPER({_text("rat")}) AS _rat, {_text("county_code")} AS _county, {_text("industry")} AS _industry,
            TRY_CAST({_text("activated_on")} AS DATE) AS _a_on,
            {_text("deactivated_on")} AS _d_raw, TRY_CAST({_text("deactivated_on")} AS DATE) AS _d_on,
        FROM raw
    ), copied AS (  -- from the files, not from ``s``: read once, ``s`` is not kept whole in memory
        SELECT {sim} AS _sim FROM raw WHERE {sim} IS NOT NULL{ours} GROUP BY {sim} HAVING COUNT(*) > 1
    )
    SELECT s.*, CASE
        {_foreign("s._op", own)}
        WHEN s._sim IS NULL THEN 'sim'
        WHEN d._sim IS NOT NULL THEN 'duplicate'
        WHEN s._op IS NULL THEN 'operator'
        WHEN s._rat IS NULL OR s._rat NOT IN {RATS_SQL} THEN 'rat'
        WHEN k.code IS NULL THEN 'county'
        WHEN s._a_on IS NULL OR (s._d_raw IS NOT NULL AND s._d_on IS NULL) THEN 'date'
        WHEN s._d_on < s._a_on THEN 'dates'
        END AS reason
    FROM s LEFT JOIN copied AS d ON d._sim = s._sim LEFT JOIN counties AS k ON k.code = s._county
    """


def sims_events(aliases: Mapping[str, str]) -> str:
    """5G SIM cards activated (+1) and deactivated (-1), by county, operator, sector and month. A sector the
    plan does not name is ''."""
    return f"""
    WITH good AS (
        SELECT c._county AS county, c._op AS op, c._a_on AS a_on, c._d_on AS d_on, COALESCE(k.name, '') AS sector
        FROM checked AS c LEFT JOIN sectors AS k ON k.name = c._industry
        WHERE c.reason IS NULL AND c._rat = '5G'
    ), events AS (
        SELECT county, op, sector, {_month("a_on")} AS month, 1 AS delta FROM good
        UNION ALL SELECT county, op, sector, {_month("d_on")}, -1 FROM good WHERE d_on IS NOT NULL
    )
    SELECT county, op, sector, month, delta, COUNT(*) FROM events GROUP BY county, op, sector, month, delta
    """


# -- subscribers ---------------------------------------------------------------------------------------------
def _subscribers_checked(aliases: Mapping[str, str], own: str | None = None) -> str:
    month = f"TRY_CAST(REPLACE({_text('month')}, '-', '') AS INT)"
    return f"""
    WITH u AS (
        SELECT *, {operator_case(_text("operator"), aliases)} AS _op, {_text("county_code")} AS _county,
            {month} AS _month, TRY_CAST({_text("mobile_users_total")} AS BIGINT) AS _users_all,
            TRY_CAST({_text("mobile_users_5g")} AS BIGINT) AS _users_5g,
            COUNT(*) OVER (PARTITION BY {operator_case(_text("operator"), aliases)}, {_text("county_code")}, {month})
                AS _copies
        FROM raw
    )
    SELECT u.*, CASE
        {_foreign("u._op", own)}
        WHEN u._op IS NULL THEN 'operator'
        WHEN k.code IS NULL THEN 'county'
        WHEN u._month IS NULL OR u._month < 190001 OR u._month > 299912 OR u._month % 100 < 1
            OR u._month % 100 > 12 THEN 'month'
        WHEN u._copies > 1 THEN 'duplicate'
        WHEN u._users_all IS NULL OR u._users_5g IS NULL OR u._users_all < 0 OR u._users_5g < 0 THEN 'users'
        WHEN u._users_5g > u._users_all THEN 'users_5g'
        END AS reason
    FROM u LEFT JOIN counties AS k ON k.code = u._county
    """


def subscribers_rows(aliases: Mapping[str, str], own: str | None = None) -> str:
    return f"""
    SELECT reason, _county, _month, _op, _users_all, _users_5g FROM ({_subscribers_checked(aliases, own)}) AS c
    WHERE reason IS NULL
    UNION ALL
    SELECT reason, NULL, NULL, NULL, COUNT(*), NULL FROM ({_subscribers_checked(aliases, own)}) AS c
    WHERE reason IS NOT NULL GROUP BY reason
    """


def rejected_rows(
    kind: str,
    columns: list[str],
    aliases: Mapping[str, str],
    day_column: str = "date",
    *,
    own: str | None = None,
) -> str:
    """The rejected rows as the file holds them (``columns``), with their file, reason code and ``detail`` (text
    or NULL: which other rows a row of a shared site disagrees with). An inventory's are those of ``checked``."""
    checked = {
        "base-stations": lambda: "SELECT * FROM checked",
        "cell-traffic": lambda: _traffic_checked(aliases, day_column, own),
        "iot-sims": lambda: sims_checked(aliases, own),
        "subscribers": lambda: _subscribers_checked(aliases, own),
    }[kind]()
    listed = ", ".join(columns)
    detail = "detail" if kind == "base-stations" else "CAST(NULL AS VARCHAR) AS detail"
    return f"SELECT filename, {listed}, reason, {detail} FROM ({checked}) AS c WHERE reason IS NOT NULL"
