"""Checks of what the plan's words say about its targets: every indicator's target agrees with the figures
and comparison words of the annex row and the quotes it cites, and every goal phrase is quoted by a target.

**Figures.** A figure in a quote is a number followed by a multiplier (万 10⁴, 亿 10⁸, 万亿 10¹²), by a unit
the plan uses (an indicator's or a data element's ``unit``; ％ is read as %), or by both: “超过1600万”,
“超过18个”, “超50%”. A number followed by neither (“5G”, “4K”, “2023年”, “R15”) is not a figure. A figure's
value with its multiplier must equal the target value (for an indicator counted in 万户, the target times
10⁴), and its unit, where the quote gives one, must be the indicator's. An indicator whose target is written
neither in the annex nor in any of its quotes is refused too: it could not be checked.

**Comparison words.** Only the words the bundled texts use next to their figures are read, mapped so:

====== ========================== ================
word   where                      comparison
====== ========================== ================
超过   just before the figure     ``gt`` (>)
超     just before the figure     ``gt`` (>)
达     just before the figure     ``gte`` (≥)
以上   just after the figure      ``gte`` (≥)
====== ========================== ================

以上 includes the number itself, as Chinese official usage reads it: “3个以上” is three or more; so does 达
(reach), which the successor's targets use (“每万人拥有5G基站数达38个”). Words the texts do not use (高于, 大于,
不少于, 不低于, …) are not guessed at; a quote with none of the words above (“建设15个”) leaves the comparison to
the file, which says why in the indicator's remark.

**Goal phrases.** The text of every goal, and of each section goals belong to (一.(三) 总体目标), is split at
，。；. Every phrase must be contained in a quote of an indicator's ``sources`` or in the text of a qualitative
target that cites that goal or section. (A quote its clause does not hold is already reported by the quote
check; it counts for every clause here, so that one mistake is one problem.) A phrase that only introduces
goals (“到2023年”, “垂直行业领域”) is listed in its paragraph's ``lead_ins`` and needs no target.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from yangfan.core.plan import Comparison
from yangfan.core.planfile.base import ReaderBase, as_decimal, is_number

MULTIPLIERS = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "万": Decimal(10) ** 4}
WORDS_BEFORE = {
    "超过": Comparison.GT,
    "超": Comparison.GT,
    "达": Comparison.GTE,
}  # longest first: 超过 before 超
WORDS_AFTER = {"以上": Comparison.GTE}
COMPARISON_NAMES = {"gt": "大于", "gte": "大于或等于", "lt": "小于", "lte": "小于或等于"}
_PHRASE_END = re.compile(r"[，。；,;！？!?\n]")


@dataclass(frozen=True)
class Figure:
    """A figure as a quote writes it (``text``: “1600万”), its value with the multiplier (16000000), its
    unit (“” where the quote gives none) and the comparison word next to it (“” where there is none)."""

    text: str
    value: Decimal
    unit: str
    word: str

    @property
    def comparison(self) -> Comparison | None:
        return {**WORDS_BEFORE, **WORDS_AFTER}.get(self.word)

    def __str__(self) -> str:
        multiplied = any(m in self.text for m in MULTIPLIERS)
        return f"{self.text}（{self.value.normalize():f}）" if multiplied else self.text


def figures_in(quote: str, units: Iterable[str]) -> list[Figure]:
    """The figures of ``quote``: numbers followed by a multiplier, by one of ``units``, or by both."""
    quote = quote.replace("％", "%")
    unit_pattern = "|".join(re.escape(u) for u in sorted(set(units), key=len, reverse=True)) or "(?!)"
    multiplier_pattern = "|".join(MULTIPLIERS)
    pattern = re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?)({multiplier_pattern})?({unit_pattern})?")
    figures = []
    for match in pattern.finditer(quote):
        number, multiplier, unit = match.groups()
        if not multiplier and not unit:
            continue
        before, after = quote[: match.start()], quote[match.end() :]
        word = next((w for w in WORDS_BEFORE if before.endswith(w)), "") or next(
            (w for w in WORDS_AFTER if after.startswith(w)), ""
        )
        value = Decimal(number) * MULTIPLIERS.get(multiplier or "", Decimal(1))
        figures.append(Figure(match.group(0), value, unit or "", word))
    return figures


def unit_scale(unit: str) -> tuple[Decimal, str]:
    """An indicator's unit as (multiplier, unit without it): “万户” is (10000, “户”), “%” is (1, “%”)."""
    for word, factor in MULTIPLIERS.items():
        if unit.startswith(word) and len(unit) > len(word):
            return factor, unit.removeprefix(word)
    return Decimal(1), unit.replace("％", "%")


def goal_phrases(text: str) -> list[str]:
    """The phrases of a goal text: its parts between ，。； (and their ASCII forms, and line ends)."""
    return [p.strip() for p in _PHRASE_END.split(text) if p.strip()]


class WordingChecks(ReaderBase):
    """Targets against the figures and words of the plan, and goals against the targets that quote them."""

    def _check_target_wording(self) -> None:
        units = {
            unit_scale(item["unit"])[1] for c in ("indicators", "data_elements") for _, item in self.items(c)
        }
        rows = {r["number"]: r for r in (self.data.get("annex") or {}).get("rows", [])}
        for path, indicator in self.items("indicators"):
            target = indicator["target"]
            scale, unit = unit_scale(indicator["unit"])
            value = as_decimal(target["value"]) * scale if is_number(target["value"]) else None
            stated = 0
            wrong_values: list[str] = []
            wrong_units: list[str] = []
            wrong_words: list[str] = []
            row = rows.get(indicator.get("annex_number"))
            if row is not None and is_number(row["value"]):  # a missing row or a bad value: MeasureChecks
                stated += 1
                if value is not None and as_decimal(row["value"]) * scale != value:
                    wrong_values.append(f"附件第 {row['number']} 项的指标值 {row['value']}")
            for source in indicator["sources"]:
                quote = source["quote"]
                for figure in figures_in(quote, units):
                    stated += 1
                    if value is not None and figure.value != value:
                        wrong_values.append(f"引文“{quote}”中的数值 {figure}")
                    if figure.unit and figure.unit != unit:
                        wrong_units.append(f"引文“{quote}”写作“{figure.unit}”")
                    if figure.comparison and figure.comparison != target["comparison"]:
                        wrong_words.append(
                            f"引文“{quote}”写作“{figure.word}”，应为 {figure.comparison.value}"
                            f"（{COMPARISON_NAMES[figure.comparison.value]}）"
                        )
            if wrong_values:
                self.problem(
                    (*path, "target", "value"), f"目标值 {target['value']} 与{'、'.join(wrong_values)} 不一致"
                )
            elif not stated:
                self.problem(
                    (*path, "sources"),
                    f"目标值 {target['value']} 在附件和所引原文中都找不到，无法核对：请引用原文中写出这个数值的文字",
                )
            if wrong_units:
                self.problem(
                    (*path, "unit"), f"单位“{indicator['unit']}”与原文不一致：{'；'.join(wrong_units)}"
                )
            if wrong_words:
                comparison = target["comparison"]
                self.problem(
                    (*path, "target", "comparison"),
                    f"比较方式“{comparison}”（{COMPARISON_NAMES[comparison]}）与原文用词不符：{'；'.join(wrong_words)}",
                )

    def _check_goal_targets(self, clause_texts: dict[str, str]) -> None:
        cited = [(s["clause"], s["quote"]) for _, i in self.items("indicators") for s in i["sources"]]
        cited += [(q["clause"], q["text"]) for _, q in self.items("qualitative_targets")]
        quoted: dict[str, list[str]] = {}  # clause → the quotes counted for it; "" → for every clause
        for clause, quote in cited:
            held = quote in clause_texts.get(clause, "")
            quoted.setdefault(clause if held else "", []).append(quote)
        goal_sections = {g["section"] for _, g in self.items("goals")}
        for path, item in [*self.items("sections"), *self.items("goals")]:
            is_goal = path[0] == "goals" or item["code"] in goal_sections
            phrases = goal_phrases(item.get("text", ""))
            lead_ins = item.get("lead_ins", [])
            for i, lead_in in enumerate(lead_ins):
                if not is_goal:
                    self.problem(
                        (*path, "lead_ins", i), "lead_ins 只用于目标（goals）和目标所属的章节，本章节没有目标"
                    )
                elif lead_in not in phrases:
                    self.problem(
                        (*path, "lead_ins", i),
                        f"“{lead_in}”不是本段原文（text）中的一个短语（短语以逗号、句号或分号分隔）",
                    )
            if not is_goal:
                continue
            for phrase in phrases:
                quotes = [*quoted.get(item["code"], []), *quoted.get("", [])]
                if phrase not in lead_ins and not any(phrase in quote for quote in quotes):
                    self.problem(
                        (*path, "text"),
                        f"目标“{phrase}”（{item['code']}）没有对应的指标或定性目标：请增加逐字引用这句原文的"
                        f"定性目标（qualitative_targets，clause 为 {item['code']}）或在量化指标的 sources 中引用它；"
                        "若它只是引出目标的文字，请列入本段的 lead_ins",
                    )
