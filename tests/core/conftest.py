"""Fixtures shared by the core tests: the bundled Shaanxi plan and the test data folder.

The plan is loaded once per session: every core test reads it, none changes it (its values are frozen).
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from yangfan.core.plan import Plan
from yangfan.core.planfile import bundled_plan_paths, load_plan

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PLAN_FILE_NAME = "shaanxi-5g-2021-2023.yaml"


def read_data_csv(name: str) -> list[dict[str, str]]:
    """Rows of a CSV file in tests/data; lines starting with ``#`` are comments (sources, notes)."""
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


@pytest.fixture(scope="session")
def plan_path() -> Path:
    (path,) = [p for p in bundled_plan_paths() if p.name == PLAN_FILE_NAME]
    return path


@pytest.fixture(scope="session")
def plan_text(plan_path: Path) -> str:
    return plan_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def plan(plan_path: Path) -> Plan:
    return load_plan(plan_path)


@pytest.fixture(scope="session")
def divisions() -> list[dict[str, str]]:
    """The Ministry of Civil Affairs division codes (tests/data/shaanxi-divisions.csv)."""
    return read_data_csv("shaanxi-divisions.csv")


@pytest.fixture(scope="session")
def census_2020() -> dict[str, Decimal]:
    """Seventh census resident population by plan org unit code (tests/data/census-2020.csv)."""
    return {row["code"]: Decimal(row["population"]) for row in read_data_csv("census-2020.csv")}
