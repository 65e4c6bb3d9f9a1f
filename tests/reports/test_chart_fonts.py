"""A report never fails for a font: Yangfan registers the CJK font itself, and a chart it cannot draw is a note."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from matplotlib import font_manager
from tests.reports.conftest import sample_report

from yangfan.reports import charts, docx_writer
from yangfan.reports.charts import CJK_FAMILY, cjk_font_file, indicator_chart_png
from yangfan.reports.docx_writer import report_docx_bytes


def _paragraphs(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


@pytest.fixture
def stale_font_list(monkeypatch):
    """matplotlib's font list as its cache holds it when the font was installed after the cache was built."""
    manager = font_manager.fontManager
    monkeypatch.setattr(
        manager, "ttflist", [f for f in manager.ttflist if "NotoSansCJK" not in Path(f.fname).name]
    )
    manager._findfont_cached.cache_clear()
    yield manager
    manager._findfont_cached.cache_clear()


def test_the_cjk_font_is_registered_from_its_file_when_matplotlibs_list_lacks_it(stale_font_list):
    with pytest.raises(ValueError):  # the stale list really does not know the font
        font_manager.findfont(font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False)

    png = indicator_chart_png(sample_report().indicators[0], org_name="陕西省")

    assert png.startswith(b"\x89PNG")
    found = font_manager.findfont(font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False)
    assert Path(found) == cjk_font_file()


def test_a_report_without_the_chinese_font_is_written_with_a_note_for_each_chart(monkeypatch):
    monkeypatch.setattr(charts, "CJK_FAMILY", "No Such CJK Font")
    monkeypatch.setattr(charts, "KNOWN_FONT_FILES", ())
    document = sample_report()
    annex = [section for section in document.indicators if section.annex]

    data = report_docx_bytes(document)

    word = docx.Document(io.BytesIO(data))
    assert len(word.inline_shapes) == 0
    notes = [text for text in _paragraphs(data) if "走势图未能生成" in text]
    assert notes == [f"（{s.code} {s.name}走势图未能生成：未安装中文字体 fonts-noto-cjk）" for s in annex]
    assert "二、主要指标完成情况" in _paragraphs(data)  # the rest of the report is there


def test_a_chart_that_fails_to_draw_leaves_a_note_instead_of_failing_the_report(monkeypatch):
    def broken(section, *, org_name):
        raise OverflowError("Exceeded cell block limit")

    monkeypatch.setattr(docx_writer, "indicator_chart_png", broken)
    document = sample_report()

    paragraphs = _paragraphs(report_docx_bytes(document))

    first = next(s for s in document.indicators if s.annex)
    assert f"（{first.code} {first.name}走势图未能生成：绘图出错）" in paragraphs
