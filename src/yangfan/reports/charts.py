"""Trend charts of the evaluation report, drawn with matplotlib into PNG bytes.

The report is read on paper and as a Word file, where a chart is an image: its Chinese text must be drawn
with a font that has the glyphs, or it prints as boxes (豆腐块). So the chart draws with "Noto Sans CJK SC"
(Debian's ``fonts-noto-cjk``) and refuses to draw without it, rather than falling back silently; the Word
writer then leaves a note where the chart would be, and the report is still written (ADR 0018).

matplotlib lists the installed fonts once, in a cache (``~/.cache/matplotlib``) that outlives a later font
install, so it is not asked to find the font: Yangfan finds the file itself (fontconfig's ``fc-match``, then
the paths Debian's package installs) and registers it with matplotlib's font manager, whatever the cache holds.

Figures are built on their own Agg canvas (``matplotlib.figure.Figure`` with ``FigureCanvasAgg``), never
through ``pyplot``: no global backend or figure registry, so report jobs can draw in parallel threads and a
web process never tries to open a window. The same section always gives the same bytes: a fixed size and
dpi, no timestamp, and no "Software" entry in the PNG's metadata.
"""

from __future__ import annotations

import io
import math
import threading
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


# Where Debian's fonts-noto-cjk puts the font (bookworm and later; older releases' truetype path after it).
KNOWN_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
)
_registering = threading.Lock()


def chinese_font(size: float = 9) -> font_manager.FontProperties:
    """The CJK font's properties, the font registered with matplotlib first; :class:`ChineseFontMissing` when
    no installed file has it."""
    with _registering:  # report jobs draw in threads; one of them registers the font
        if not _matplotlib_has_font():
            path = cjk_font_file()
            if path is not None:
                font_manager.fontManager.addfont(str(path))
            if path is None or not _matplotlib_has_font():
                raise ChineseFontMissing(
                    f"未找到中文字体“{CJK_FAMILY}”，无法绘制图表（中文会显示为方框）。"
                    "请安装 Debian 软件包 fonts-noto-cjk（apt-get install fonts-noto-cjk，或运行 make run）"
                )
    return font_manager.FontProperties(family=CJK_FAMILY, size=size)


def _matplotlib_has_font() -> bool:
    try:
        found = font_manager.findfont(
            font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False
        )
    except ValueError:
        return False
    return Path(found).is_file()


def cjk_font_file() -> Path | None:
    """The installed file of the CJK font: the one fontconfig names, else one of Debian's paths; ``None`` when
    neither has it."""
    import shutil
    import subprocess

    if shutil.which("fc-match"):
        try:
            found = subprocess.run(
                ["fc-match", "-f", "%{file}", CJK_FAMILY],
                capture_output=True,
                text=True,
                check=False,
                timeout=30,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        # fontconfig names its fallback (DejaVu) when the font is missing: only a Noto CJK file will do
        if "NotoSansCJK" in Path(found).name and Path(found).is_file():
            return Path(found)
    return next((Path(p) for p in KNOWN_FONT_FILES if Path(p).is_file()), None)


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


__all__ = [
    "ChineseFontMissing",
    "chinese_font",
    "cjk_font_file",
    "indicator_chart_figure",
    "indicator_chart_png",
]
