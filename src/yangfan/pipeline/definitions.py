"""The aggregations, written once in SQL (DuckDB's dialect) and run as they are on DuckDB or transpiled for
Apache Spark by SQLGlot (``engines.py``). Each returns small, exact integer tables; turning them into data
values (month-end stocks, bytes to GB) happens in Python, once, for both engines (``aggregate.py``).

Every query reads the view ``raw`` (the files of one kind, the contract's columns under their own names, plus
``filename``); the small tables ``counties(code, number)`` and ``sectors(name)`` come from the plan (joined, not
sub-queried: Spark takes ``IN (SELECT …)`` only in a filter). A row that breaks
the contract gets a ``reason`` code (``REASONS`` says it in Chinese) and is counted, never aggregated. Text is
compared as the file holds it: CSV is read as text, Parquet as typed, and ``TRY_CAST`` takes either.

A duplicated key (a site, a SIM card, a county × month × operator of the subscriber counts) rejects every row
that carries it: which copy is right cannot be told, and keeping "the first" would depend on the engine.
"""

from __future__ import annotations

from collections.abc import Mapping

from yangfan.pipeline.contracts import SHARED_WITH_SEPARATORS

REASONS = {
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
    "month": "月份无效（应为 YYYY-MM 或 YYYYMM）",
    "users": "用户数为负或无效",
    "users_5g": "5G用户数大于移动电话用户总数",
}

RATS_SQL = "('4G', '5G', 'NB-IOT')"


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
def stations_checked(aliases: Mapping[str, str]) -> str:
    """Every inventory row with its reason (NULL: the row keeps the contract)."""
    separators = "[" + SHARED_WITH_SEPARATORS + "]"
    site = _text("site_id")
    return f"""
    WITH b AS (
        SELECT *, {site} AS _site, {operator_case(_text("operator"), aliases)} AS _op,
            UPPER({_text("rat")}) AS _rat, {_text("county_code")} AS _county,
            TRY_CAST({_text("commissioned_on")} AS DATE) AS _c_on,
            {_text("decommissioned_on")} AS _d_raw, TRY_CAST({_text("decommissioned_on")} AS DATE) AS _d_on,
            {_text("shared_with")} AS _shared
        FROM raw
    ), copied AS (
        SELECT _site FROM b WHERE _site IS NOT NULL GROUP BY _site HAVING COUNT(*) > 1
    ), tokens AS (
        SELECT _site, NULLIF(TRIM(token), '') AS token
        FROM (SELECT _site, UNNEST(STRING_SPLIT_REGEX(_shared, '{separators}')) AS token FROM b
              WHERE _shared IS NOT NULL) AS t
    ), unknown_shares AS (
        SELECT DISTINCT _site FROM tokens
        WHERE token IS NOT NULL AND {operator_case("token", aliases)} IS NULL
    )
    SELECT b.*, CASE
        WHEN b._site IS NULL THEN 'site_id'
        WHEN d._site IS NOT NULL THEN 'duplicate'
        WHEN b._op IS NULL THEN 'operator'
        WHEN b._rat IS NULL OR b._rat NOT IN {RATS_SQL} THEN 'rat'
        WHEN k.code IS NULL THEN 'county'
        WHEN b._c_on IS NULL OR (b._d_raw IS NOT NULL AND b._d_on IS NULL) THEN 'date'
        WHEN b._d_on < b._c_on THEN 'dates'
        WHEN u._site IS NOT NULL THEN 'shared'
        END AS reason
    FROM b LEFT JOIN copied AS d ON d._site = b._site LEFT JOIN unknown_shares AS u ON u._site = b._site
        LEFT JOIN counties AS k ON k.code = b._county
    """


# The checked rows of an inventory or a SIM register are kept as a table (``checked``: the columns the events
# need and the reason) and read twice: for the rejects by reason, and for the events.
def stations_kept(aliases: Mapping[str, str]) -> str:
    return (
        "SELECT reason, _site, _op, _rat, _county, _c_on, _d_on, _shared"
        f" FROM ({stations_checked(aliases)}) AS c"
    )


def sims_kept(aliases: Mapping[str, str]) -> str:
    return f"SELECT reason, _op, _rat, _county, _industry, _a_on, _d_on FROM ({sims_checked(aliases)}) AS c"


def checked_reasons() -> str:
    return "SELECT reason, COUNT(*) FROM checked GROUP BY reason"


def stations_events(aliases: Mapping[str, str]) -> str:
    """5G sites coming into and going out of service, by county, month and operator (NULL: the site once,
    however many operators share it). ``delta`` is +1 for commissioning, -1 for decommissioning."""
    separators = "[" + SHARED_WITH_SEPARATORS + "]"
    return f"""
    WITH good AS (
        SELECT _site AS site, _op AS op, _county AS county, _c_on AS c_on, _d_on AS d_on, _shared AS shared
        FROM checked WHERE reason IS NULL AND _rat = '5G'
    ), shares AS (
        SELECT site, {operator_case("NULLIF(TRIM(token), '')", aliases)} AS op
        FROM (SELECT site, UNNEST(STRING_SPLIT_REGEX(shared, '{separators}')) AS token FROM good
              WHERE shared IS NOT NULL) AS t
    ), site_operators AS (
        SELECT DISTINCT site, op FROM (SELECT site, op FROM good UNION ALL
                                       SELECT site, op FROM shares WHERE op IS NOT NULL) AS o
    ), per_operator AS (
        SELECT g.site, g.county, o.op, g.c_on, g.d_on FROM good AS g JOIN site_operators AS o ON o.site = g.site
    ), events AS (
        SELECT county, op, {_month("c_on")} AS month, 1 AS delta FROM per_operator
        UNION ALL SELECT county, op, {_month("d_on")}, -1 FROM per_operator WHERE d_on IS NOT NULL
        UNION ALL SELECT county, NULL, {_month("c_on")}, 1 FROM good
        UNION ALL SELECT county, NULL, {_month("d_on")}, -1 FROM good WHERE d_on IS NOT NULL
    )
    SELECT county, op, month, delta, COUNT(*) FROM events GROUP BY county, op, month, delta
    """


def sites_table(aliases: Mapping[str, str]) -> str:
    """The inventory's valid sites (any RAT) with their county: cell traffic is counted where its site is. The
    county is its number in ``counties`` (an integer joins and groups tens of millions of traffic rows a
    quarter faster than its code as text); ``aggregate`` maps it back."""
    return f"""
    SELECT c._site AS site_id, CAST(k.number AS INT) AS county
    FROM ({stations_checked(aliases)}) AS c JOIN counties AS k ON k.code = c._county
    WHERE c.reason IS NULL
    """


def stations_valid() -> str:
    """The valid sites of the inventory just checked (``checked``), to keep for cell traffic: what
    ``sites_table`` computes, by county code."""
    return "SELECT _site AS site_id, _county AS county_code FROM checked WHERE reason IS NULL"


def sites_kept() -> str:
    """The table ``sites`` by county code, to keep."""
    return "SELECT s.site_id, k.code AS county_code FROM sites AS s JOIN counties AS k ON CAST(k.number AS INT) = s.county"


# -- cell traffic --------------------------------------------------------------------------------------------
def _traffic_checked(aliases: Mapping[str, str], day_column: str) -> str:
    # The hot path (tens of millions of rows): no TRIM, no text casts beyond what the reason needs.
    return f"""
    WITH t AS (
        SELECT *, {operator_case("operator", aliases)} AS _op, UPPER(rat) AS _rat,
            TRY_CAST({day_column} AS DATE) AS _day, TRY_CAST(dl_bytes AS BIGINT) AS _dl,
            TRY_CAST(ul_bytes AS BIGINT) AS _ul, CAST(site_id AS VARCHAR) AS _site
        FROM raw
    )
    SELECT t.*, s.county AS _county, CASE
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
    does: operator, RAT, date, bytes, site."""
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
def sims_checked(aliases: Mapping[str, str]) -> str:
    sim = _text("sim_hash")
    return f"""
    WITH s AS (
        SELECT *, {sim} AS _sim, {operator_case(_text("operator"), aliases)} AS _op,
            UPPER({_text("rat")}) AS _rat, {_text("county_code")} AS _county, {_text("industry")} AS _industry,
            TRY_CAST({_text("activated_on")} AS DATE) AS _a_on,
            {_text("deactivated_on")} AS _d_raw, TRY_CAST({_text("deactivated_on")} AS DATE) AS _d_on,
        FROM raw
    ), copied AS (  -- from the files, not from ``s``: read once, ``s`` is not kept whole in memory
        SELECT {sim} AS _sim FROM raw WHERE {sim} IS NOT NULL GROUP BY {sim} HAVING COUNT(*) > 1
    )
    SELECT s.*, CASE
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
def _subscribers_checked(aliases: Mapping[str, str]) -> str:
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


def subscribers_rows(aliases: Mapping[str, str]) -> str:
    return f"""
    SELECT reason, _county, _month, _op, _users_all, _users_5g FROM ({_subscribers_checked(aliases)}) AS c
    WHERE reason IS NULL
    UNION ALL
    SELECT reason, NULL, NULL, NULL, COUNT(*), NULL FROM ({_subscribers_checked(aliases)}) AS c
    WHERE reason IS NOT NULL GROUP BY reason
    """


def rejected_rows(kind: str, columns: list[str], aliases: Mapping[str, str], day_column: str = "date") -> str:
    """The rejected rows as the file holds them (``columns``), with their file and reason code."""
    checked = {
        "base-stations": lambda: stations_checked(aliases),
        "cell-traffic": lambda: _traffic_checked(aliases, day_column),
        "iot-sims": lambda: sims_checked(aliases),
        "subscribers": lambda: _subscribers_checked(aliases),
    }[kind]()
    listed = ", ".join(columns)
    return f"SELECT filename, {listed}, reason FROM ({checked}) AS c WHERE reason IS NOT NULL"
