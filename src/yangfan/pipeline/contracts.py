"""The raw file contracts: what the operators and the 通信管理局 send, column by column.

Every kind is CSV (UTF-8 or GB18030, header row) or Parquet. Columns are read by name, in any order; a column
beyond the contract is ignored. Dates are ``YYYY-MM-DD``; a month is ``YYYY-MM`` or ``YYYYMM``. Operators are
named by code (``cmcc``), full name (中国移动) or short name (移动). ``shared_with`` lists the other operators
of a shared site (共建共享), separated by ``/``, ``;``, ``,``, ``、`` or ``|``.

Each operator sends its own base-station inventory: a shared site is in the inventory of every operator on it,
under the same ``site_id`` (the tower company's 站址编码), each row naming the other operators in ``shared_with``.
The rows of one site must then agree on its county, RAT, dates and place (``COORDINATE_TOLERANCE``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """One raw file kind: its name on the command line, its columns and the data elements it yields."""

    code: str
    name: str  # Chinese, for messages and pages
    columns: tuple[str, ...]
    optional: tuple[str, ...]  # columns that may be absent
    elements: tuple[str, ...]
    alternatives: dict[str, str] | None = None  # column -> a column that may stand in for it


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            "base-stations",
            "基站清单",
            (
                "site_id",
                "operator",
                "rat",
                "county_code",
                "longitude",
                "latitude",
                "commissioned_on",
                "decommissioned_on",
                "shared_with",
            ),
            ("longitude", "latitude", "decommissioned_on", "shared_with"),
            ("base_stations_5g",),
        ),
        Kind(
            "cell-traffic",
            "小区流量",
            ("cell_id", "site_id", "operator", "date", "rat", "dl_bytes", "ul_bytes"),
            (),
            ("traffic_5g", "traffic_mobile_total"),
            alternatives={"date": "datetime"},  # hourly files carry a timestamp instead of the day
        ),
        Kind(
            "iot-sims",
            "物联网卡登记",
            ("sim_hash", "operator", "rat", "county_code", "industry", "activated_on", "deactivated_on"),
            ("industry", "deactivated_on"),
            ("iot_terminals_5g",),
        ),
        Kind(
            "subscribers",
            "用户数",
            ("operator", "county_code", "month", "mobile_users_total", "mobile_users_5g"),
            (),
            ("mobile_users_total", "mobile_users_5g"),
        ),
    )
}

RATS = ("4G", "5G", "NB-IoT")

# Names an operator goes by in raw files, by operator code. Codes are the plan's (DESIGN.md).
OPERATOR_ALIASES: dict[str, tuple[str, ...]] = {
    "cmcc": ("cmcc", "中国移动", "移动"),
    "cucc": ("cucc", "中国联通", "联通"),
    "ctcc": ("ctcc", "中国电信", "电信"),
    "cbn": ("cbn", "中国广电", "广电"),
}
OPERATOR_NAMES: dict[str, str] = {code: names[1] for code, names in OPERATOR_ALIASES.items()}  # for messages
SHARED_WITH_SEPARATORS = "/;,、|"

COORDINATE_TOLERANCE = 0.001
"""Yangfan's default for how far apart, in degrees of longitude and of latitude each, two operators may place one
shared site and still mean the same place: about 110 m north–south and 90 m east–west in Shaanxi, more than the
rounding of a surveyed position, less than the distance between two sites."""
