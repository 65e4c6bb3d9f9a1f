"""Trend charts of the evaluation report, drawn with matplotlib into PNG bytes.

The report is read on paper and as a Word file, where a chart is an image: its Chinese text must be drawn
with a font that has the glyphs, or it prints as boxes (豆腐块). So the chart asks for "Noto Sans CJK SC"
(Debian's ``fonts-noto-cjk``) by name and refuses to draw without it, rather than falling back silently.

Figures are built on their own Agg canvas (``matplotlib.figure.Figure`` with ``FigureCanvasAgg``), never
through ``pyplot``: no global backend or figure registry, so report jobs can draw in parallel threads and a
web process never tries to open a window. The same section always gives the same bytes: a fixed size and
dpi, no timestamp, and no "Software" entry in the PNG's metadata.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from yangfan.reports.document import IndicatorSection

CJK_FAMILY = "Noto Sans CJK SC"
DPI = 150
WIDTH_CM, HEIGHT_CM = 16, 8
MAX_X_LABELS = 12
TEN_THOUSAND = 10_000

LINE_COLOR = "#1f4e79"
TARGET_COLOR = "#c00000"


class ChineseFontMissing(RuntimeError):
    """No font with Chinese glyphs is installed, so a chart would show boxes instead of text."""


def chinese_font(size: float = 9) -> font_manager.FontProperties:
    """The CJK font's properties; :class:`ChineseFontMissing` when matplotlib cannot find it."""
    properties = font_manager.FontProperties(family=CJK_FAMILY, size=size)
    try:
        font_manager.findfont(properties, fallback_to_default=False)
    except ValueError:
        _add_installed_font()  # installed after matplotlib listed the fonts (its cache outlives the install)
    try:
        font_manager.findfont(properties, fallback_to_default=False)
    except ValueError as error:
        raise ChineseFontMissing(
            f"未找到中文字体“{CJK_FAMILY}”，图表中的中文会显示为方框。"
            "请安装 Debian 软件包 fonts-noto-cjk（apt-get install fonts-noto-cjk，或运行 make test-deps），"
            "然后删除 matplotlib 的字体缓存（~/.cache/matplotlib）后重试。"
        ) from error
    return properties


def _add_installed_font() -> None:
    """Add the CJK font fontconfig knows of to matplotlib's list, which it keeps in a cache made when it first
    ran: a font installed since (``make test-deps``) is otherwise not seen until that cache is deleted."""
    import shutil
    import subprocess

    if shutil.which("fc-match") is None:
        return
    found = subprocess.run(
        ["fc-match", "-f", "%{file}", CJK_FAMILY], capture_output=True, text=True, check=False, timeout=30
    ).stdout.strip()
    if "NotoSansCJK" in Path(found).name:  # not the fallback fontconfig names when the font is missing
        font_manager.fontManager.addfont(found)


def indicator_chart_png(section: IndicatorSection, *, org_name: str) -> bytes:
    """The trend chart of ``section`` as PNG bytes, 16 cm × 8 cm at 150 dpi; same input, same bytes."""
    figure = indicator_chart_figure(section, org_name=org_name)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def indicator_chart_figure(section: IndicatorSection, *, org_name: str) -> Figure:
    """The chart as a matplotlib figure (for :func:`indicator_chart_png`, and for tests of its text).

    The series is drawn over its period identifiers as categories, with gaps where a period has no value;
    the target, when there is one, is a dashed horizontal line named in the legend with its text.
    Large counts (from 100,000) are drawn in 万 so the axis stays readable.
    """
    font = chinese_font()
    figure = Figure(figsize=(WIDTH_CM / 2.54, HEIGHT_CM / 2.54), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()

    periods = [period for period, _ in section.series]
    values = [None if value is None else float(value) for _, value in section.series]
    target = None if section.target is None else float(section.target)
    known = [v for v in values if v is not None] + ([target] if target is not None else [])
    divisor, unit = _scale(known, section.unit)

    def scaled(value: float | None) -> float:
        return math.nan if value is None else value / divisor

    positions = list(range(len(periods)))
    if any(v is not None for v in values):
        axes.plot(
            positions,
            [scaled(v) for v in values],
            color=LINE_COLOR,
            linewidth=1.6,
            marker="o",
            markersize=3.5,
            label=org_name,
        )
    else:
        axes.text(
            0.5,
            0.5,
            "暂无数据",
            transform=axes.transAxes,
            ha="center",
            va="center",
            color="#808080",
            fontproperties=chinese_font(11),
        )
    if target is not None:
        axes.axhline(
            scaled(target),
            color=TARGET_COLOR,
            linestyle="--",
            linewidth=1.2,
            label=f"目标 {section.target_text}",
        )

    step = max(1, math.ceil(len(periods) / MAX_X_LABELS))
    shown = positions[::step]
    axes.set_xticks(shown, [periods[i] for i in shown])
    if positions:
        axes.set_xlim(-0.5, len(positions) - 0.5)
    if known:  # room above the highest point and the target line, and zero at the bottom unless negative
        low, high = min(known) / divisor, max(known) / divisor
        axes.set_ylim(min(0.0, low * 1.1), high * 1.12 if high > 0 else 1.0)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=6))
    axes.yaxis.set_major_formatter(FuncFormatter(_number))
    axes.tick_params(axis="both", labelsize=8, labelfontfamily=CJK_FAMILY)
    axes.grid(axis="y", color="#d9d9d9", linewidth=0.6)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)

    axes.set_title(f"{section.code} {section.name}", fontproperties=chinese_font(11))
    axes.set_xlabel("期间", fontproperties=font)
    axes.set_ylabel(f"单位：{unit}" if unit else "数值", fontproperties=font)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(prop=chinese_font(8), loc="best", frameon=False)
    return figure


def _scale(values: list[float], unit: str) -> tuple[int, str]:
    """Counts from 100,000 up are drawn in 万 (ten thousands); ratios and small counts as they are."""
    if unit != "%" and values and max(abs(v) for v in values) >= 10 * TEN_THOUSAND:
        return TEN_THOUSAND, f"万{unit}"
    return 1, unit


def _number(value: float, _position: int) -> str:
    """Axis numbers with thousands separators and no needless decimals (ASCII minus: every font has it)."""
    value = round(value, 6)
    return f"{int(value):,}" if value == int(value) else f"{value:,}"


__all__ = ["ChineseFontMissing", "chinese_font", "indicator_chart_figure", "indicator_chart_png"]
