"""Per-operator base-station inventories (``yangfan demo raw --per-operator``): what each operator would send of
the generated province-wide inventory.

Each operator keeps its own inventory. A shared site (共建共享) is in the inventory of every operator on it (its
owner and those its ``shared_with`` names), under the same ``site_id``, with the same county, RAT, dates and
coordinates, and a ``shared_with`` that names the *other* operators of the site. The four inventories together
are therefore the merged one, site for site, and give the same counts.

``contradictions`` shared sites get, in one sharing operator's copy (not the owner's), a different county (the
next county of the inventory, every other one) or a commissioning date one day earlier: the pairs the pipeline
must reject together (``disagree``). They are drawn with ``hash(seed, site_id)``, 5G sites first, so the same
seed picks the same sites.
"""

from __future__ import annotations

from yangfan.pipeline.contracts import KINDS, OPERATOR_ALIASES, SHARED_WITH_SEPARATORS
from yangfan.pipeline.definitions import operator_case, quote
from yangfan.pipeline.generate.spec import OPERATORS


def inventories_prepare(
    con, merged: str, *, seed: int, contradictions: int = 0
) -> dict[str, tuple[str, int]]:
    """The query of each operator's inventory (its rows in order of ``site_id``) and its number of rows, by
    operator code (``OPERATORS``' order), from ``merged``, a query of the merged inventory (one row a site: its
    owner's, naming the operators it shares with). Made as the temporary table ``site_copies`` on ``con``."""
    aliases = {alias: code for code, names in OPERATOR_ALIASES.items() for alias in names}
    separators = quote("[" + SHARED_WITH_SEPARATORS + "]")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE site_copies AS
        WITH m AS (
            SELECT *, {operator_case("TRIM(operator)", aliases)} AS owner
            FROM ({merged}) AS q
        ), named AS (
            SELECT m.*, LIST_SORT(LIST_DISTINCT(LIST_CONCAT([owner], COALESCE(LIST_TRANSFORM(
                STRING_SPLIT_REGEX(shared_with, {separators}),
                lambda token: {operator_case("TRIM(token)", aliases)}), [])))) AS site_operators
            FROM m
        )
        SELECT site_id, op AS operator, rat, county_code, longitude, latitude, commissioned_on,
            decommissioned_on, NULLIF(ARRAY_TO_STRING(LIST_FILTER(site_operators, lambda o: o <> op), '/'), '')
                AS shared_with, op <> owner AS sharer
        FROM named, UNNEST(LIST_FILTER(site_operators, lambda o: o IS NOT NULL)) AS u(op)
    """)
    if contradictions > 0:
        _contradict(con, seed, contradictions)
    counts = dict(con.execute("SELECT operator, COUNT(*) FROM site_copies GROUP BY operator").fetchall())
    columns = ", ".join(KINDS["base-stations"].columns)
    return {
        code: (
            f"SELECT {columns} FROM site_copies WHERE operator = {quote(code)} ORDER BY site_id",
            counts.get(code, 0),
        )
        for code in OPERATORS
    }


def _contradict(con, seed: int, count: int) -> None:
    """Alter one sharer's copy of ``count`` shared sites: the county (every other one, when there is another
    county) or the commissioning date (a day earlier)."""
    counties = [
        c for (c,) in con.execute("SELECT DISTINCT county_code FROM site_copies ORDER BY 1").fetchall()
    ]
    picked = con.execute(f"""
        SELECT site_id, operator, county_code FROM site_copies WHERE sharer
        QUALIFY ROW_NUMBER() OVER (PARTITION BY site_id ORDER BY operator) = 1
        ORDER BY rat <> '5G', hash({int(seed)}::BIGINT, site_id, 'contradiction'), site_id
        LIMIT {int(count)}
    """).fetchall()
    for index, (site_id, operator, county) in enumerate(picked):
        where = f"site_id = {quote(site_id)} AND operator = {quote(operator)}"
        if index % 2 == 0 and len(counties) > 1:
            other = counties[(counties.index(county) + 1) % len(counties)]
            con.execute(f"UPDATE site_copies SET county_code = {quote(other)} WHERE {where}")
        else:
            con.execute(f"UPDATE site_copies SET commissioned_on = commissioned_on - 1 WHERE {where}")
