"""The numbers, fonts and writing conventions of GB/T 9704-2012 《党政机关公文格式》, in Word's units.

- 5.2: A4, 天头 37 mm, 订口 28 mm, 版心 156 mm × 225 mm (right 26 mm, bottom 35 mm). 正文 3号仿宋, 22 lines
  of 28 characters: a document grid of 22 lines and 28 characters, exact line spacing of 579 twips (28.95 pt;
  22 × 28.95 pt ≤ 225 mm), and a character pitch rounded down so that 28 characters fit.
- Fonts by East Asian name (``w:eastAsia``), by the names Chinese offices install them under: 发文机关标志 and
  标题 方正小标宋简体, 正文 仿宋_GB2312, 一级标题 黑体, 二级标题 楷体_GB2312; Latin letters and digits Times
  New Roman; 页码 and tables 宋体. Machines without these fonts substitute their own, as they do for any 公文.
- 7.5: the page number's dashes about 7 mm below the 版心.
- 7.3.5.4: dates in Arabic numerals, the year in full, no padding ("2023年12月5日"); headings numbered "一、"
  and "（一）" in Chinese numerals.

Lengths are twips (1/20 pt, 1/1440 inch) unless named otherwise; font sizes are points.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date
from fractions import Fraction

# Fonts, by the names Chinese offices install them under.
XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN = "Times New Roman"

# Sizes in points: 小初, 2号, 3号, 4号, 小4号, 5号.
ISSUER_PT = 36
TITLE_PT = 22
BODY_PT = 16
RECORD_PT = 14
CAPTION_PT = 12
TABLE_PT = 10.5

RED = "FF0000"
TWIPS_PER_MM = Fraction(1440, 254) * 10  # 1440 twips an inch, 25.4 mm an inch


def twips(mm: float | Fraction) -> int:
    """``mm`` millimetres in whole twips."""
    return round(Fraction(mm) * TWIPS_PER_MM)


PAGE_WIDTH = twips(210)
PAGE_HEIGHT = twips(297)
TOP, BOTTOM, LEFT, RIGHT = twips(37), twips(35), twips(28), twips(26)
TEXT_WIDTH = PAGE_WIDTH - LEFT - RIGHT  # 版心 156 mm
TEXT_HEIGHT = PAGE_HEIGHT - TOP - BOTTOM  # 版心 225 mm
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LINE = TEXT_HEIGHT // LINES_PER_PAGE  # 579 twips = 28.95 pt: 22 lines fit, a 23rd does not
# Word's character grid: pitch = default font size + charSpace / 4096 pt; rounded down so 28 characters fit.
CHAR_SPACE = math.floor((Fraction(TEXT_WIDTH, 20 * CHARS_PER_LINE) - BODY_PT) * 4096)
# The page number's dashes about 7 mm below the 版心: the footer's bottom edge sits that far, less the dash's
# height above the bottom of its 4号 line, above the bottom of the page.
FOOTER = twips(35 - 7) - 150


def chinese_date(day: date) -> str:
    """A date as 7.3.5.4 writes it: Arabic numerals, the year in full, no leading zeros ("2023年12月5日")."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_number(n: int) -> str:
    """``n`` in Chinese numerals as headings count ("一", "十二", "二十"); Arabic from 100 on."""
    digits = "零一二三四五六七八九"
    if n >= 100:
        return str(n)
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def half_widths(text: str) -> int:
    """Width of ``text`` in half characters: a Chinese character or full-width sign is two, a Latin one one.

    Ambiguous-width signs (“”、…) count two, as a Chinese font sets them."""
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)
