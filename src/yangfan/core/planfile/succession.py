"""Checks of what a plan carries on from earlier plans: an indicator's or a task's ``continues`` must name a plan
that is known (bundled with Yangfan or loaded) and ended before this one starts, and an indicator or task that
plan holds; and no two different plans may claim one code.

An indicator that continues another keeps its series: a page of the later plan draws the earlier plan's values
and target line before its own. Where the definition changed (大型工业企业 → 大中型工业企业, 用户数 → 连接数),
the ``note`` says how; a continuation whose unit differs is refused, since the two series could not share an
axis."""

from __future__ import annotations

from collections.abc import Mapping

from yangfan.core.plan import Plan
from yangfan.core.planfile.base import ReaderBase


class SuccessionChecks(ReaderBase):
    """The plan's code and continuations against the other plans known (``known``: code → plan)."""

    def _check_other_plans(self, known: Mapping[str, Plan] | None) -> None:
        if known is None:  # a plan read back as it was loaded: checked when it was loaded
            return
        p = self.data["plan"]
        same = known.get(p["code"])
        if same is not None and same.name != p["name"]:
            self.problem(
                ("plan", "code"),
                f"计划代码“{p['code']}”已被另一个计划「{same.name}」使用：每个计划须有自己的代码",
            )
        for collection, key, what in (("indicators", "indicator", "指标"), ("tasks", "task", "任务")):
            for path, item in self.items(collection):
                continues = item.get("continues")
                if continues:
                    self._check_continuation((*path, "continues"), item, continues, key, what, known)

    def _check_continuation(self, path, item: dict, continues: dict, key: str, what: str, known) -> None:
        code = continues["plan"]
        if code == self.data["plan"]["code"]:
            self.problem((*path, "plan"), f"{what}不能延续本计划自己的{what}")
            return
        earlier = known.get(code)
        if earlier is None:
            names = "、".join(sorted(known)) or "无"
            self.problem((*path, "plan"), f"被延续的计划“{code}”不存在（已知的计划：{names}）")
            return
        start = self._date(("plan", "start"), self.data["plan"]["start"])
        if start is not None and earlier.end >= start:
            self.problem(
                (*path, "plan"),
                f"被延续的计划「{earlier.name}」到 {earlier.end} 结束，不早于本计划的开始日期 {start}",
            )
        codes = {i.code: i for i in (earlier.indicators if key == "indicator" else earlier.tasks)}
        if continues[key] not in codes:
            self.problem((*path, key), f"计划「{earlier.name}」中没有{what}“{continues[key]}”")
        elif key == "indicator" and codes[continues[key]].unit != item["unit"]:
            before = codes[continues[key]]
            self.problem(
                (*path, key),
                f"单位“{item['unit']}”与被延续指标 {before.code}（{before.name}）的单位“{before.unit}”不同，"
                "两段序列无法画在一条线上",
            )
