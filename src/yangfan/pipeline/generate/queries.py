"""The SQL that makes the rows of every kind (the model is in the package's docstring): the literal helpers,
the small tables the kinds are made from (counties, sites, the traffic sample, the card counts), and the query of
each kind: base stations, cell traffic, IoT SIM cards and subscribers."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping, Sequence

from yangfan.pipeline.contracts import KINDS
from yangfan.pipeline.definitions import quote
from yangfan.pipeline.generate.spec import (
    ANCHOR_SIMS,
    BYTES_4G_CELL_DAY,
    BYTES_NB_IOT_CELL_DAY,
    CBN_SERVICE_FROM,
    CBN_SHARES_FROM,
    CBN_SITES_FROM,
    CITY_CENTRES,
    HOUR_PROFILE,
    LATITUDES,
    LAUNCH_4G,
    LAUNCH_5G,
    LAUNCH_NB_IOT,
    LONGITUDES,
    OPERATORS,
    PROVINCE_CENTRE,
    PROVINCE_RESIDENTS,
    SECTOR_SHARES,
    SHARE_5G_FIRST,
    SHARE_5G_LAST,
    SIMS,
    SITES,
    SPRING_FESTIVAL,
    TRAFFIC_GROWTH_PER_MONTH,
    TRAFFIC_ROWS_PER_DAY,
    USER_SHARES,
    Spec,
)


# -- SQL literals and dates ----------------------------------------------------------------------------------
def _date(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


def _pick(draw: str, shares: Mapping[str, float], rest: str = "NULL") -> str:
    """SQL: one of ``shares``' keys, chosen by ``draw`` (uniform on 0–1) with those probabilities."""
    whens, cumulative = [], 0.0
    for name, share in shares.items():
        cumulative += share
        whens.append(f"WHEN {draw} < {cumulative!r} THEN {quote(name)}")
    return f"CASE {' '.join(whens)} ELSE {rest} END"


def _curve(draw: str, points: Sequence[tuple[dt.date, float]]) -> str:
    """SQL: a date drawn so that the cumulative share of dates follows ``points`` (date, share), linearly
    between them: the inverse of a piecewise-linear distribution, evaluated at ``draw``."""
    whens = []
    for (d0, f0), (d1, f1) in itertools.pairwise(points):
        days = (d1 - d0).days
        whens.append(
            f"WHEN {draw} < {f1!r} THEN {_date(d0)} + CAST(FLOOR(({draw} - {f0!r}) / {f1 - f0!r} * {days}) AS INTEGER)"
        )
    return f"CASE {' '.join(whens)} ELSE {_date(points[-1][0])} END"


def _commissioning(rat: str, spec: Spec) -> list[tuple[dt.date, float]]:
    """Cumulative share of a county's sites of ``rat`` (as of the end of ``year``) commissioned by each date."""
    end = spec.last_day
    if rat == "5G":
        points = [(LAUNCH_5G, 0.0)]
        for back, share in ((3, 0.30), (2, 0.55), (1, 0.78), (0, 1.0)):
            day = dt.date(spec.year - back, 12, 31)
            if day > points[-1][0]:
                points.append((day, share))
        return points
    if rat == "4G":
        return [(LAUNCH_4G, 0.0), (dt.date(2016, 12, 31), 0.55), (dt.date(2019, 12, 31), 0.85), (end, 1.0)]
    return [(LAUNCH_NB_IOT, 0.0), (dt.date(2019, 12, 31), 0.55), (end, 1.0)]


def _anchor_window(rat: str, spec: Spec) -> tuple[dt.date, int]:
    """When a county's first site of ``rat`` (in service all of ``year``) is commissioned: from a start
    date over a number of days, in the base year where the RAT existed then, and before ``year`` starts."""
    launch = LAUNCH_5G if rat == "5G" else LAUNCH_4G
    start = max(launch, dt.date(spec.base_year, 1, 1))
    return start, max(1, min(300, (spec.first_day - start).days))


# -- tables --------------------------------------------------------------------------------------------------
def queries_prepare(con, spec: Spec) -> tuple[dict[str, str], dict[str, int]]:
    """The small tables the kinds are made from (counties, sites, the traffic sample, the card counts); return
    each file's query and its number of rows, by the file's name: the kind's, or with ``spec.monthly`` cell
    traffic's months as ``cell-traffic-YYYY-MM``."""
    con.execute(
        f"CREATE TEMP MACRO u(a, b, c) AS "
        f"((hash({spec.seed}::BIGINT, a, b, c) >> 11)::DOUBLE / 9007199254740992.0)"
    )
    _counties_table(con, spec)
    queries, sizes = {}, {}
    if "base-stations" in spec.kinds or "cell-traffic" in spec.kinds:
        con.execute(_sites_sql(spec))
    if "base-stations" in spec.kinds:
        queries["base-stations"] = _stations_query(spec)
        sizes["base-stations"] = con.execute("SELECT COUNT(*) FROM sites").fetchone()[0]
    if "cell-traffic" in spec.kinds:
        per_weight = _traffic_prepare(con, spec)
        windows = _month_windows(spec) if spec.monthly else {"": (0, spec.days)}
        for suffix, (first, end) in windows.items():
            name = f"cell-traffic-{suffix}" if suffix else "cell-traffic"
            queries[name] = _traffic_query(spec, per_weight, first, end)
            days = con.execute(
                "SELECT COALESCE(SUM(GREATEST(0, LEAST(end_day, ?) - GREATEST(start_day, ?))), 0) FROM cells_ops",
                [end, first],
            ).fetchone()[0]
            sizes[name] = int(days) * (24 if spec.hourly else 1)
    if "iot-sims" in spec.kinds:
        con.execute(_sim_counts_sql(spec))
        queries["iot-sims"] = _sims_query(spec)
        sizes["iot-sims"] = int(con.execute("SELECT COALESCE(SUM(n), 0) FROM sim_counts").fetchone()[0])
    if "subscribers" in spec.kinds:
        queries["subscribers"], sizes["subscribers"] = _subscribers_query(spec)
    return queries, sizes


def _counties_table(con, spec: Spec) -> None:
    """Counties with their drawn traits: where they are, how dense their networks, how fast they adopt."""
    rows = []
    for idx, (code, population) in enumerate(spec.counties):
        lon, lat, spread = CITY_CENTRES.get(code[:4], PROVINCE_CENTRE)
        rows.append((idx, code, population, lon, lat, spread))
    con.execute(
        "CREATE TEMP TABLE given (idx INTEGER, code VARCHAR, pop BIGINT, lon DOUBLE, lat DOUBLE, spread DOUBLE)"
    )
    con.executemany("INSERT INTO given VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.execute(f"""
        CREATE TEMP TABLE counties AS SELECT idx, code, pop,
            LEAST({LONGITUDES[1]}, GREATEST({LONGITUDES[0]}, lon + (u(code, 'lon', 0) - 0.5) * spread)) AS lon,
            LEAST({LATITUDES[1]}, GREATEST({LATITUDES[0]}, lat + (u(code, 'lat', 0) - 0.5) * spread)) AS lat,
            0.80 + 0.45 * u(code, 'density', 5) AS density_5g,
            0.85 + 0.30 * u(code, 'density', 4) AS density_4g,
            0.80 + 0.45 * u(code, 'traffic', 5) AS traffic_5g,
            0.60 + 0.80 * u(code, 'iot', 0) AS iot_level,
            2.70 + 0.90 * u(code, 'iot', 1) AS iot_growth,
            1.03 + 0.13 * u(code, 'users', 0) AS penetration,
            0.055 + 0.03 * u(code, 'users', 1) AS users_5g_first,
            0.36 + 0.26 * u(code, 'users', 2) AS users_5g_last
        FROM given
    """)


def _sites_sql(spec: Spec) -> str:
    """The site inventory of every RAT; ``anchor`` marks each county's first 4G and 5G site, in service all
    year and always in the traffic sample."""
    rats = ", ".join(
        f"({rank}, {quote(rat)}, {quote(s['tag'])}, {s['per_10k']}, {s['least']}, {s['retired']})"
        for rank, (rat, s) in enumerate(SITES.items())
    )
    commissioned = " ".join(
        f"WHEN rat = {quote(rat)} THEN {_curve('u_on', _commissioning(rat, spec))}" for rat in SITES
    )
    anchors = " ".join(
        f"WHEN rat = {quote(rat)} THEN {_date(start)} + CAST(FLOOR(u_on * {days}) AS INTEGER)"
        for rat in ("5G", "4G")
        for start, days in [_anchor_window(rat, spec)]
    )
    owners = " ".join(
        f"WHEN rat = {quote(rat)} THEN {_pick('u_owner', s['owners'])}" for rat, s in SITES.items()
    )
    last = _date(spec.last_day)
    return f"""
    CREATE TEMP TABLE sites AS
    WITH counted AS (
        SELECT c.idx, c.code, c.lon, c.lat, r.rank, r.rat, r.tag, r.retired,
            GREATEST(r.least, ROUND(c.pop * r.per_10k / 10000 * {spec.volume!r}
                * CASE r.rat WHEN '5G' THEN c.density_5g WHEN '4G' THEN c.density_4g ELSE 1.0 END))::BIGINT AS n
        FROM counties AS c, (VALUES {rats}) AS r(rank, rat, tag, per_10k, least, retired)
    ), numbered AS (
        SELECT *, tag || LPAD(ROW_NUMBER() OVER (PARTITION BY rat ORDER BY idx, i)::VARCHAR, 8, '0') AS site_id
        FROM (SELECT *, UNNEST(RANGE(n)) AS i FROM counted) AS s
    ), drawn AS (
        SELECT *, i = 0 AND rat <> 'NB-IoT' AS anchor, u(site_id, 'on', 0) AS u_on,
            u(site_id, 'owner', 0) AS u_owner, u(site_id, 'share', 0) AS u_share
        FROM numbered
    ), dated AS (
        SELECT *, CASE WHEN anchor THEN CASE {anchors} END ELSE CASE {commissioned} END END AS commissioned_on
        FROM drawn
    ), owned AS (
        SELECT *, CASE WHEN owner = 'cbn' AND (anchor OR commissioned_on < {_date(CBN_SITES_FROM)}) THEN 'cmcc'
            ELSE owner END AS operator
        FROM (SELECT *, CASE {owners} END AS owner FROM dated) AS o
    )
    SELECT rank, site_id, operator, rat, code AS county_code,
        ROUND(LEAST({LONGITUDES[1]}, GREATEST({LONGITUDES[0]}, lon + (u(site_id, 'lon', 0) - 0.5) * 0.3)), 6)
            AS longitude,
        ROUND(LEAST({LATITUDES[1]}, GREATEST({LATITUDES[0]}, lat + (u(site_id, 'lat', 0) - 0.5) * 0.25)), 6)
            AS latitude,
        commissioned_on,
        CASE WHEN NOT anchor AND u(site_id, 'off', 0) < retired AND commissioned_on < {last}
            THEN commissioned_on + 1
                + CAST(FLOOR(u(site_id, 'off', 1) * DATE_DIFF('day', commissioned_on, {last})) AS INTEGER)
        END AS decommissioned_on,
        CASE
            WHEN rat = '4G' AND operator = 'ctcc' AND u_share < 0.3 THEN 'cucc'
            WHEN rat = '4G' AND operator = 'cucc' AND u_share < 0.3 THEN 'ctcc'
            WHEN rat <> '5G' THEN NULL
            WHEN operator = 'ctcc' AND u_share < 0.9 THEN 'cucc'
            WHEN operator = 'cucc' AND u_share < 0.9 THEN 'ctcc'
            WHEN operator = 'cmcc' AND commissioned_on >= DATE '2022-01-01' AND u_share < 0.02
                THEN 'cbn/ctcc/cucc'
            WHEN operator = 'cmcc' AND commissioned_on >= {_date(CBN_SHARES_FROM)} AND u_share < 0.62 THEN 'cbn'
            WHEN operator = 'cbn' AND u_share < 0.8 THEN 'cmcc'
        END AS shared_with,
        anchor
    FROM owned
    """


def _stations_query(spec: Spec) -> str:
    columns = ", ".join(KINDS["base-stations"].columns)
    return f"SELECT {columns} FROM sites ORDER BY rank, site_id"


# -- cell traffic --------------------------------------------------------------------------------------------
def _traffic_prepare(con, spec: Spec) -> dict[str, list[float]]:
    """The sampled cells × operators with the days they carry traffic and their weight; return the bytes per
    unit of weight by RAT and month that give the 5G share its course (``_traffic_query``'s)."""
    shares = ", ".join(f"({quote(op)}, {share})" for op, share in USER_SHARES.items())
    end = spec.last_day + dt.timedelta(days=1)
    con.execute(f"""
        CREATE TEMP TABLE site_ops AS
        WITH o AS (
            SELECT site_id, rat, county_code, commissioned_on, decommissioned_on, anchor,
                UNNEST(LIST_CONCAT([operator], COALESCE(STRING_SPLIT(shared_with, '/'), []::VARCHAR[]))) AS op
            FROM sites
        )
        SELECT o.*, CASE o.rat WHEN 'NB-IoT' THEN 1 ELSE 3 END AS cells,
            w.share / SUM(w.share) OVER (PARTITION BY o.site_id) AS op_share,
            DATE_DIFF('day', {_date(spec.first_day)}, GREATEST({_date(spec.first_day)}, o.commissioned_on,
                CASE o.op WHEN 'cbn' THEN {_date(CBN_SERVICE_FROM)} ELSE {_date(spec.first_day)} END)) AS start_day,
            DATE_DIFF('day', {_date(spec.first_day)}, LEAST({_date(end)}, COALESCE(o.decommissioned_on, {_date(end)})))
                AS end_day
        FROM o JOIN (VALUES {shares}) AS w(op, share) ON w.op = o.op
    """)
    full, anchored = con.execute(
        "SELECT COALESCE(SUM(cells * GREATEST(0, end_day - start_day)), 0),"
        " COALESCE(SUM(CASE WHEN anchor THEN cells * GREATEST(0, end_day - start_day) END), 0) FROM site_ops"
    ).fetchone()
    residents = sum(population for _, population in spec.counties)
    target = TRAFFIC_ROWS_PER_DAY * spec.days * residents / PROVINCE_RESIDENTS * spec.volume
    rate = min(1.0, max(0.0, (target - anchored) / (full - anchored))) if full > anchored else 1.0
    con.execute(f"""
        CREATE TEMP TABLE cells_ops AS
        WITH cells AS (
            SELECT *, UNNEST(RANGE(1, cells + 1)) AS sector FROM site_ops
            WHERE start_day < end_day AND (anchor OR u(site_id, 'sample', 0) < {rate!r})
        )
        SELECT ROW_NUMBER() OVER (ORDER BY site_id, sector, op) AS co, site_id || '-' || sector AS cell_id,
            site_id, op AS operator, rat, start_day, end_day,
            op_share * (0.4 + 1.2 * u(site_id, sector, 'cell'))
                * CASE rat WHEN '5G' THEN k.traffic_5g ELSE 1.0 END AS weight
        FROM cells JOIN counties AS k ON k.code = cells.county_code
    """)
    months = _month_windows(spec).values()
    values = ", ".join(f"({m}, {s}, {e})" for m, (s, e) in enumerate(months, start=1))
    weights = {
        (rat, month): weight
        for rat, month, weight in con.execute(f"""
            SELECT rat, month, SUM(weight * GREATEST(0, LEAST(end_day, e) - GREATEST(start_day, s)))
            FROM cells_ops, (VALUES {values}) AS m(month, s, e) GROUP BY rat, month
        """).fetchall()
    }
    per_weight: dict[str, list[float]] = {"4G": [], "5G": [], "NB-IoT": []}
    for month in range(1, 13):
        share = SHARE_5G_FIRST + (SHARE_5G_LAST - SHARE_5G_FIRST) * (month - 1) / 11
        bytes_4g = BYTES_4G_CELL_DAY * (1 + TRAFFIC_GROWTH_PER_MONTH) ** (month - 1)
        w4, w5 = weights.get(("4G", month), 0.0), weights.get(("5G", month), 0.0)
        per_weight["4G"].append(bytes_4g)
        per_weight["5G"].append(bytes_4g * share / (1 - share) * w4 / w5 if w4 and w5 else bytes_4g)
        per_weight["NB-IoT"].append(BYTES_NB_IOT_CELL_DAY)
    return per_weight


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


def _month_windows(spec: Spec) -> dict[str, tuple[int, int]]:
    """``{"YYYY-MM": (first day, day after the last)}`` of the year, as day numbers from its first day."""
    return {
        f"{spec.year}-{m:02d}": (
            (dt.date(spec.year, m, 1) - spec.first_day).days,
            (_month_end(spec.year, m) - spec.first_day).days + 1,
        )
        for m in range(1, 13)
    }


def _holidays(year: int) -> list[dt.date]:
    days = [dt.date(year, 1, 1)]
    days += [dt.date(year, 5, d) for d in range(1, 6)] + [dt.date(year, 10, d) for d in range(1, 8)]
    if year in SPRING_FESTIVAL:
        first, length = SPRING_FESTIVAL[year]
        days += [first + dt.timedelta(days=d) for d in range(length)]
    return days


def _traffic_query(spec: Spec, per_weight: Mapping[str, list[float]], first: int, end: int) -> str:
    """Rows of cell × operator × day (or hour) of the days ``first`` to ``end`` (excluded, numbered from the
    year's first day), in order of time, then cell and operator. One hash of the row's key draws both its noise
    and its uplink share, so a day's rows are the same whichever window it is written in."""
    scale = " ".join(
        f"WHEN {quote(rat)} THEN {[float(x) for x in values]!r}::DOUBLE[]"
        for rat, values in per_weight.items()
    )
    holidays = ", ".join(str((day - spec.first_day).days) for day in _holidays(spec.year))
    day_factor = (
        f"CASE WHEN d IN ({holidays}) THEN 1.10"
        f" WHEN DAYOFWEEK({_date(spec.first_day)} + d) IN (0, 6) THEN 1.05 ELSE 1.0 END"
    )
    month = f"MONTH({_date(spec.first_day)} + d)"
    if spec.hourly:
        total = sum(HOUR_PROFILE)
        profile = [round(x / total, 6) for x in HOUR_PROFILE]
        expand = f"UNNEST(RANGE(GREATEST(start_day, {first}) * 24, LEAST(end_day, {end}) * 24)) AS t"
        unit = f"CAST(t // 24 AS INTEGER) AS d, ({profile!r}::DOUBLE[])[t % 24 + 1] AS hour_share"
        stamp = f"CAST({_date(spec.first_day)} AS TIMESTAMP) + TO_HOURS(t) AS datetime"
    else:
        expand = f"UNNEST(RANGE(GREATEST(start_day, {first}), LEAST(end_day, {end}))) AS t"
        unit = "CAST(t AS INTEGER) AS d, 1.0 AS hour_share"
        stamp = f"{_date(spec.first_day)} + CAST(t AS INTEGER) AS date"
    return f"""
    SELECT cell_id, site_id, operator, {stamp}, rat, total - ul AS dl_bytes, ul AS ul_bytes
    FROM (
        SELECT *, CAST(ROUND(total * (0.06 + 0.06 * ((h >> 32)::DOUBLE / 4294967296.0))) AS BIGINT) AS ul
        FROM (
            SELECT co, t, cell_id, site_id, operator, rat, h,
                CAST(ROUND((CASE rat {scale} END)[{month}] * weight * hour_share * {day_factor}
                    * (0.8 + 0.4 * ((h & 4294967295)::DOUBLE / 4294967296.0))) AS BIGINT) AS total
            FROM (
                SELECT *, {unit}, hash({spec.seed}::BIGINT, co, t) AS h
                FROM (SELECT co, cell_id, site_id, operator, rat, weight, {expand} FROM cells_ops) AS x
            ) AS y
        ) AS z
    ) AS r
    ORDER BY t, co
    """


# -- IoT SIM cards -------------------------------------------------------------------------------------------
def _sim_counts_sql(spec: Spec) -> str:
    """Cards per county and RAT. 5G: enough that, growing ``iot_growth`` times a year, the cards active at the
    end of the base year are ~1 per 1,000 residents (times the county's level), plus the anchors."""
    rats = ", ".join(
        f"({rank}, {quote(rat)}, {s['per_1000']}, {s['retired']})"
        for rank, (rat, s) in enumerate(SIMS.items())
    )
    return f"""
    CREATE TEMP TABLE sim_counts AS
    SELECT c.idx, c.code, c.iot_growth AS growth, r.rank, r.rat, r.retired,
        CASE WHEN r.rat = '5G'
            THEN ROUND(c.pop / 1000 * r.per_1000 * c.iot_level * {spec.volume!r} * POW(c.iot_growth, 3)
                / (1 - r.retired))::BIGINT + {ANCHOR_SIMS}
            ELSE ROUND(c.pop / 1000 * r.per_1000 * c.iot_level * {spec.volume!r})::BIGINT
        END AS n
    FROM counties AS c, (VALUES {rats}) AS r(rank, rat, per_1000, retired)
    """


def _sims_query(spec: Spec) -> str:
    """Cards in order of county, RAT and number. A 5G card's activation is drawn so that the cards activated
    by ``t`` years after the base year grow as ``growth ** t`` (the base year's own cards spread over it)."""
    base_first, base_last = dt.date(spec.base_year, 1, 1), dt.date(spec.base_year, 12, 31)
    base_days = (base_last - base_first).days + 1
    after = (spec.last_day - base_last).days  # days from the end of the base year to the end of ``year``
    span = (spec.last_day - base_first).days + 1
    last = _date(spec.last_day)
    owners = " ".join(
        f"WHEN rat = {quote(rat)} THEN {_pick('u_owner', s['owners'])}" for rat, s in SIMS.items()
    )
    sector = _pick("u_sector", SECTOR_SHARES)
    columns = ", ".join(KINDS["iot-sims"].columns)
    return f"""
    WITH numbered AS (
        SELECT *, ROW_NUMBER() OVER (ORDER BY idx, rank, i) AS no
        FROM (SELECT *, UNNEST(RANGE(n)) AS i FROM sim_counts) AS s
    ), drawn AS (
        SELECT *, rat = '5G' AND i < {ANCHOR_SIMS} AS anchor, u(no, 'on', 0) AS u_on,
            u(no, 'owner', 0) AS u_owner, u(no, 'sector', 0) AS u_sector
        FROM numbered
    ), dated AS (
        SELECT *, CASE
            WHEN anchor THEN {_date(base_first)} + CAST(FLOOR(u_on * {base_days - 31}) AS INTEGER)
            WHEN rat <> '5G' THEN {_date(base_first)} + CAST(FLOOR(u_on * {span}) AS INTEGER)
            WHEN u_on < POW(growth, -3) THEN {_date(base_first)} + CAST(FLOOR(u_on * POW(growth, 3) * {base_days}) AS INTEGER)
            ELSE {_date(base_last)} + 1 + CAST(FLOOR((LN(u_on) / LN(growth) + 3) / 3 * {after}) AS INTEGER)
        END AS activated_on
        FROM drawn
    ), owned AS (
        SELECT *, CASE WHEN owner = 'cbn' AND (anchor OR activated_on < {_date(CBN_SERVICE_FROM)}) THEN 'cmcc'
            ELSE owner END AS operator
        FROM (SELECT *, CASE {owners} END AS owner FROM dated) AS o
    )
    SELECT {columns} FROM (
        SELECT no, md5({spec.seed}::VARCHAR || '/' || no::VARCHAR) AS sim_hash, operator, rat,
            code AS county_code, {sector} AS industry, activated_on,
            CASE WHEN NOT anchor AND u(no, 'off', 0) < retired AND activated_on < {last}
                THEN activated_on + 1
                    + CAST(FLOOR(u(no, 'off', 1) * DATE_DIFF('day', activated_on, {last})) AS INTEGER)
            END AS deactivated_on
        FROM owned
    ) AS s
    ORDER BY no
    """


# -- subscribers ---------------------------------------------------------------------------------------------
def _subscribers_query(spec: Spec) -> tuple[str, int]:
    """Users by operator, county and month: total subscriptions growing slowly, the 5G share along a logistic
    curve, 中国广电's share ramping up from its launch; rounded so that 5G users never exceed the total."""
    months = [
        dt.date(spec.base_year + (11 + i) // 12, (11 + i) % 12 + 1, 1)
        for i in range(12 * (spec.year - spec.base_year) + 1)
    ]
    span = len(months) - 1

    def logistic(x: float) -> float:
        return 1 / (1 + math.exp(-7 * (x - 0.45)))

    launch = next((i for i, m in enumerate(months) if m >= CBN_SERVICE_FROM), None)
    rows = []
    for i, month in enumerate(months):
        t = i / span
        progress = (logistic(t) - logistic(0)) / (logistic(1) - logistic(0))
        if launch is None or i < launch:
            ramp = 0.0
        else:
            start = launch / span
            ramp = 1.0 if start >= 1 else min(1.0, (t - start) / (1 - start) + 1 / 18)
        rows.append(f"({i}, '{month:%Y-%m}', {t!r}, {progress!r}, {ramp!r})")
    operators = ", ".join(
        f"({rank}, {quote(op)}, {share})"
        for rank, (op, share) in enumerate((op, USER_SHARES[op]) for op in OPERATORS)
    )
    query = f"""
    WITH m AS (SELECT * FROM (VALUES {", ".join(rows)}) AS m(i, month, t, progress, ramp)),
    w AS (
        SELECT c.code, o.rank, o.op, o.share * (0.88 + 0.24 * u(c.code, o.op, 'users')) AS w
        FROM counties AS c, (VALUES {operators}) AS o(rank, op, share)
    ), shares AS (
        SELECT code, rank, op, w, w / SUM(CASE WHEN op <> 'cbn' THEN w END) OVER (PARTITION BY code) AS incumbent,
            MAX(CASE WHEN op = 'cbn' THEN w END) OVER (PARTITION BY code) AS cbn
        FROM w
    ), users AS (
        SELECT c.code, m.i, m.month, m.ramp, c.pop * c.penetration * (1 + 0.036 * m.t) AS everyone,
            c.pop * c.penetration * (1 + 0.036 * m.t)
                * (c.users_5g_first + (c.users_5g_last - c.users_5g_first) * m.progress) AS on_5g
        FROM counties AS c, m
    ), split AS (
        SELECT s.op, s.rank, u.code, u.i, u.month, u.everyone, u.on_5g, s.incumbent,
            CAST(ROUND(u.on_5g * CASE WHEN s.op = 'cbn' THEN s.cbn * u.ramp
                ELSE s.incumbent * (1 - s.cbn * u.ramp) END) AS BIGINT) AS users_5g
        FROM users AS u JOIN shares AS s ON s.code = u.code
    )
    SELECT op AS operator, code AS county_code, month,
        CASE WHEN op = 'cbn' THEN users_5g
            ELSE users_5g + CAST(ROUND((everyone - on_5g) * incumbent) AS BIGINT) END AS mobile_users_total,
        users_5g AS mobile_users_5g
    FROM split
    ORDER BY code, i, rank
    """
    return query, len(spec.counties) * len(months) * len(OPERATORS)
