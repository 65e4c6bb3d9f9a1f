"""Raw files the ingest tests share."""

from __future__ import annotations

import pytest


@pytest.fixture
def inventory(raw_csv):
    """Two 5G sites: S1 (电信, shared with 联通) in 610102, S2 (移动) in 610103."""
    return raw_csv(
        "base-stations.csv",
        "base-stations",
        [
            ["S1", "ctcc", "5G", "610102", "108.9", "34.2", "2020-10-05", "", "cucc"],
            ["S2", "cmcc", "5G", "610103", "108.9", "34.2", "2021-01-10", "", ""],
        ],
    )
