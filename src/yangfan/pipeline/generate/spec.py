"""The generator's model in numbers (volumes per resident, owners' and users' shares, launch dates, holidays,
where each city's counties lie) and ``Spec``, the checked arguments of ``raw_generate`` with the dates every
query uses."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from yangfan.pipeline.contracts import KINDS

DEMO_LABEL = "演示数据（生成，非真实统计）"
SCALES = {"province": 1, "national": 31}  # national: a load-test volume, see raw_generate
FORMATS = ("parquet", "csv")
ENCODINGS = ("utf-8", "gb18030")

PROVINCE_RESIDENTS = 39_528_999  # Shaanxi, 2020 census: the volumes below are for this many residents
TRAFFIC_ROWS_PER_DAY = 75_000  # cell-operator rows a day for the province (27.4 M a year)

LAUNCH_5G = dt.date(2019, 11, 1)  # China's commercial 5G launch
LAUNCH_4G = dt.date(2014, 1, 1)
LAUNCH_NB_IOT = dt.date(2017, 6, 1)
CBN_SITES_FROM = dt.date(2021, 6, 1)  # 中国广电's first own 5G sites
CBN_SHARES_FROM = dt.date(2021, 1, 1)  # 中国移动 and 中国广电 co-build the 700 MHz network
CBN_SERVICE_FROM = dt.date(2022, 6, 1)  # 中国广电's commercial 5G service (its users, its traffic)

# Share of mobile users by operator: of cards, of shared cells' traffic, of IoT cards.
USER_SHARES = {"cmcc": 0.50, "ctcc": 0.25, "cucc": 0.22, "cbn": 0.03}
OPERATORS = ("cmcc", "cucc", "ctcc", "cbn")  # the plan file's order, for the subscriber rows
# Sites per 10,000 residents at the end of ``year`` (before a county's density draw), the fewest a county has,
# the owners' shares, the share decommissioned.
SITES = {
    "5G": {"tag": "5G", "per_10k": 21.5, "least": 3, "owners": {"cmcc": 0.46, "ctcc": 0.255, "cucc": 0.255, "cbn": 0.03}, "retired": 0.02},
    "4G": {"tag": "4G", "per_10k": 45.0, "least": 3, "owners": {"cmcc": 0.50, "ctcc": 0.25, "cucc": 0.25}, "retired": 0.04},
    "NB-IoT": {"tag": "NB", "per_10k": 1.5, "least": 1, "owners": {"cmcc": 0.50, "ctcc": 0.30, "cucc": 0.20}, "retired": 0.03},
}  # fmt: skip
# IoT cards per 1,000 residents (5G: active at the end of ``year - 3``), owners' shares, share deactivated.
SIMS = {
    "5G": {"per_1000": 1.0, "owners": USER_SHARES, "retired": 0.05},
    "4G": {"per_1000": 13.0, "owners": {"cmcc": 0.55, "ctcc": 0.25, "cucc": 0.20}, "retired": 0.10},
    "NB-IoT": {"per_1000": 20.0, "owners": {"ctcc": 0.45, "cmcc": 0.40, "cucc": 0.15}, "retired": 0.10},
}
ANCHOR_SIMS = 3  # 5G cards per county active from before the end of ``year - 3`` to the end
# The bundled plan's sectors (``sectors:`` in plans/shaanxi-5g-2021-2023.yaml) and their share of IoT cards;
# the rest of the cards name no sector.
SECTOR_SHARES = {
    "工业互联网": 0.16, "智慧城市": 0.12, "车联网": 0.10, "智慧电力": 0.09, "智慧物流": 0.07, "智慧安防": 0.07,
    "智慧医疗": 0.05, "智慧教育": 0.04, "智慧农业": 0.04, "智慧采矿": 0.04, "数字乡村": 0.04, "智能油气": 0.03,
    "数字政府": 0.03, "信息消费": 0.03, "文化旅游": 0.02, "融媒体": 0.01, "军民融合": 0.01,
}  # fmt: skip

BYTES_4G_CELL_DAY = 8e9  # one 4G cell-operator row in January
BYTES_NB_IOT_CELL_DAY = 6e6
TRAFFIC_GROWTH_PER_MONTH = 0.02
SHARE_5G_FIRST, SHARE_5G_LAST = 0.35, 0.55  # of bytes, January and December of ``year``
# Share of a day's traffic by hour (hourly files): low at night, a peak in the evening.
HOUR_PROFILE = (
    2.6, 1.8, 1.3, 1.0, 0.9, 1.0, 1.6, 2.8, 3.8, 4.3, 4.6, 4.8,
    5.0, 4.7, 4.6, 4.7, 4.8, 5.0, 5.3, 5.8, 6.3, 6.6, 6.0, 4.3,
)  # fmt: skip
# Spring Festival holidays (the lunar calendar moves them); New Year's Day, May Day and National Day are fixed.
SPRING_FESTIVAL = {
    2020: (dt.date(2020, 1, 24), 7), 2021: (dt.date(2021, 2, 11), 7), 2022: (dt.date(2022, 1, 31), 7),
    2023: (dt.date(2023, 1, 21), 7), 2024: (dt.date(2024, 2, 10), 8), 2025: (dt.date(2025, 1, 28), 8),
    2026: (dt.date(2026, 2, 15), 9),
}  # fmt: skip

# Where a county's sites are drawn around: its city's seat (lon, lat, spread in degrees); unknown: the province.
CITY_CENTRES = {
    "6101": (108.94, 34.34, 0.35), "6102": (108.95, 34.98, 0.25), "6103": (107.24, 34.36, 0.55),
    "6104": (108.71, 34.45, 0.40), "6105": (109.50, 34.65, 0.50), "6106": (109.49, 36.59, 0.70),
    "6107": (107.02, 33.07, 0.60), "6108": (109.73, 38.29, 0.80), "6109": (109.03, 32.68, 0.60),
    "6110": (109.94, 33.87, 0.50),
}  # fmt: skip
PROVINCE_CENTRE = (108.9, 35.3, 1.5)
LONGITUDES, LATITUDES = (105.5, 111.3), (31.7, 39.6)
MEMORY_LIMIT = "6GB"  # a province year sorts in ~4 GB; beyond the limit DuckDB spills (a national year)


@dataclass(frozen=True)
class Spec:
    """The checked arguments and the dates every query uses."""

    counties: tuple[tuple[str, int], ...]  # sorted by code, so that the mapping's order changes nothing
    scale: str
    year: int
    seed: int
    file_format: str
    kinds: tuple[str, ...]
    hourly: bool
    fraction: float
    encoding: str
    per_operator: bool = False  # base stations as each operator's inventory (``inventories.py``)
    contradictions: int = 0  # shared sites whose copies disagree, in the per-operator inventories
    monthly: bool = False  # cell traffic as one file per month (``cell-traffic-YYYY-MM``)

    @classmethod
    def make(
        cls,
        *,
        counties,
        scale,
        year,
        seed,
        file_format,
        kinds,
        hourly,
        fraction,
        encoding,
        per_operator=False,
        contradictions=0,
        monthly=False,
    ) -> Spec:
        asked = list(kinds)
        unknown = sorted(set(asked) - set(KINDS))
        if unknown:
            raise ValueError(f"未知的文件类型：{'、'.join(unknown)}（可选：{'、'.join(KINDS)}）")
        if scale not in SCALES:
            raise ValueError(f"未知的规模：{scale}（可选：{'、'.join(SCALES)}）")
        if file_format not in FORMATS:
            raise ValueError(f"未知的文件格式：{file_format}（可选：{'、'.join(FORMATS)}）")
        if encoding not in ENCODINGS:
            raise ValueError(f"未知的编码：{encoding}（可选：{'、'.join(ENCODINGS)}）")
        if encoding != "utf-8" and file_format != "csv":
            raise ValueError("只有 CSV 文件可以指定编码")
        if not year >= LAUNCH_5G.year + 1:
            raise ValueError(f"年份须不早于 {LAUNCH_5G.year + 1}（5G 于 2019 年 11 月商用）")
        if not (isinstance(fraction, int | float) and math.isfinite(fraction) and fraction > 0):
            raise ValueError(f"比例须为正数：{fraction}")
        if not counties:
            raise ValueError("没有区县")
        if not (isinstance(contradictions, int) and contradictions >= 0):
            raise ValueError(f"矛盾记录数须为非负整数：{contradictions!r}")
        if contradictions and not per_operator:
            raise ValueError("矛盾记录只用于按运营商分别生成的基站清单")
        if per_operator and "base-stations" not in asked:
            raise ValueError("按运营商分别生成的是基站清单，须包含 base-stations")
        for code, population in counties.items():
            if not isinstance(population, int) or population <= 0:
                raise ValueError(f"区县 {code} 的常住人口须为正整数：{population!r}")
        return cls(
            counties=tuple(sorted((str(code), population) for code, population in counties.items())),
            scale=scale,
            year=year,
            seed=int(seed),
            file_format=file_format,
            kinds=tuple(kind for kind in KINDS if kind in asked),
            hourly=hourly,
            fraction=float(fraction),
            encoding=encoding,
            per_operator=bool(per_operator),
            contradictions=contradictions,
            monthly=bool(monthly),
        )

    @property
    def volume(self) -> float:
        """How many times a province's volume (per resident) to write."""
        return self.fraction * SCALES[self.scale]

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    @property
    def base_year(self) -> int:
        """The year before a three-year plan starts (2020 for 2021–2023): A4's base."""
        return self.year - 3

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1
