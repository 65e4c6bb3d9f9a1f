"""The Word report as LibreOffice renders it: Chinese text must come out as Chinese glyphs, not boxes.

A check on the rendered page has to tell glyphs from boxes, and ink does not: a box (豆腐块) is ink too. So
the report is converted to PDF by ``soffice --headless`` and the PDF's fonts are read: each embedded font
carries a ToUnicode map from the glyphs it drew to characters. When a CJK font is installed, every Chinese
character of the page comes from it (Noto Sans CJK); when none is, LibreOffice draws the characters with a
Latin font's ``.notdef`` glyph (a box) and that Latin font's map names them. The test asserts that every Chinese
character of the title and headings was drawn by a CJK font and that no other font drew any Chinese
character.

To show that the check catches boxes, the same file is converted once more with fontconfig told to reject
every font that covers Chinese (a private ``FONTCONFIG_FILE``): that PDF must fail the check. The PNG
export of LibreOffice's Writer needs its draw component, which the ``-nogui`` Writer package lacks; the PDF
is what the check needs.

Each conversion runs with a private LibreOffice profile in the test's temporary directory, so it neither
reads nor disturbs a user's profile and never collides with a running LibreOffice.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from tests.reports.conftest import sample_report

from yangfan.reports.docx_writer import report_docx_bytes

pytestmark = pytest.mark.full

CJK_FONT_NAME = re.compile(r"CJK|SourceHan|WenQuanYi|WQY|DroidSansFallback", re.IGNORECASE)
HEADINGS = "总体进展主要指标完成情况任务推进数据报送登记簿评估排名需领导小组关注的问题"
NO_CHINESE_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont>
    <rejectfont><pattern><patelt name="lang"><string>zh-cn</string></patelt></pattern></rejectfont>
  </selectfont>
</fontconfig>
"""


def _soffice() -> str:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice（soffice）未安装，无法检查报告的渲染：请先运行 make test-deps")
    return soffice


def _to_pdf(docx: Path, out: Path, *, env: dict[str, str] | None = None) -> Path:
    out.mkdir()
    profile = (out / "profile").as_uri()
    command = [
        _soffice(),
        f"-env:UserInstallation={profile}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        str(docx),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, check=False)
    pdf = out / f"{docx.stem}.pdf"
    assert result.returncode == 0 and pdf.exists(), f"soffice failed:\n{result.stdout}\n{result.stderr}"
    return pdf


def _pdf_font_characters(pdf: Path) -> dict[str, set[str]]:
    """Each embedded font's name and the characters its ToUnicode map says it drew."""
    data = pdf.read_bytes()
    objects = {
        int(match.group(1)): match.group(2)
        for match in re.finditer(rb"(\d+)\s+\d+\s+obj\b(.*?)\bendobj", data, re.DOTALL)
    }
    fonts: dict[str, set[str]] = {}
    for body in objects.values():
        if not re.search(rb"/Type\s*/Font\b", body):
            continue
        name = re.search(rb"/BaseFont\s*/([^\s/<>\[\]()]+)", body)
        to_unicode = re.search(rb"/ToUnicode\s+(\d+)\s+\d+\s+R", body)
        if name is None or to_unicode is None:
            continue
        characters = _cmap_characters(_stream(objects[int(to_unicode.group(1))]))
        fonts.setdefault(name.group(1).decode("latin-1"), set()).update(characters)
    return fonts


def _stream(body: bytes) -> bytes:
    raw = re.search(rb"stream\r?\n(.*)\bendstream", body, re.DOTALL).group(1)
    return zlib.decompress(raw) if b"/FlateDecode" in body else raw


def _cmap_characters(cmap: bytes) -> set[str]:
    """Destination characters of a ToUnicode CMap's ``bfchar`` and ``bfrange`` entries."""
    text = cmap.decode("latin-1")
    characters: set[str] = set()

    def utf16(hex_digits: str) -> str:
        return bytes.fromhex(hex_digits).decode("utf-16-be", errors="replace")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.DOTALL):
        for _source, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            characters.update(utf16(target))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.DOTALL):
        for low, high, target in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])", block
        ):
            if target.startswith("["):
                for each in re.findall(r"<([0-9A-Fa-f]+)>", target):
                    characters.update(utf16(each))
            else:
                first = ord(utf16(target[1:-1])[-1])
                characters.update(chr(first + k) for k in range(int(high, 16) - int(low, 16) + 1))
    return characters


def _han(text: str | set[str]) -> set[str]:
    return {c for c in text if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"}


def _chinese_problems(pdf: Path, expected: set[str]) -> list[str]:
    """What is wrong with the PDF's Chinese text; empty when every character came from a CJK font."""
    fonts = _pdf_font_characters(pdf)
    drawn_by_cjk = set().union(*(chars for name, chars in fonts.items() if CJK_FONT_NAME.search(name)))
    problems = []
    missing = expected - drawn_by_cjk
    if missing:
        problems.append(f"{len(missing)} 个汉字不是用中文字体绘制的（例如 {''.join(sorted(missing)[:10])}）")
    for name, chars in sorted(fonts.items()):
        if not CJK_FONT_NAME.search(name) and _han(chars):
            problems.append(f"非中文字体 {name} 绘制了汉字（方框）：{''.join(sorted(_han(chars))[:10])}")
    if not problems and not drawn_by_cjk:
        problems.append(f"PDF 中没有中文字体：{sorted(fonts)}")
    return problems


def test_report_renders_chinese_glyphs_in_libreoffice_and_the_check_catches_boxes(tmp_path):
    document = sample_report()
    docx = tmp_path / "report.docx"
    docx.write_bytes(report_docx_bytes(document))
    expected = _han(document.title + HEADINGS)

    pdf = _to_pdf(docx, tmp_path / "installed")
    assert _chinese_problems(pdf, expected) == [], (
        "中文未用中文字体渲染：请运行 make test-deps 安装 fonts-noto-cjk"
    )

    config = tmp_path / "no-chinese-fonts.conf"
    config.write_text(NO_CHINESE_FONTS, encoding="utf-8")
    without_fonts = _to_pdf(docx, tmp_path / "hidden", env={**os.environ, "FONTCONFIG_FILE": str(config)})
    assert _chinese_problems(without_fonts, expected), (
        "the check did not notice Chinese drawn without a CJK font"
    )
