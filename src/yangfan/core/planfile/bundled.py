"""The plan files shipped with Yangfan, found as package data of ``yangfan.plans`` rather than by a path
relative to this file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def bundled_plan_paths() -> list[Path]:
    """The plan files shipped with Yangfan (``src/yangfan/plans/*.yaml``)."""
    folder = resources.files("yangfan.plans")
    return sorted(
        Path(str(folder.joinpath(name.name))) for name in folder.iterdir() if name.name.endswith(".yaml")
    )
