"""What supervision tells its readers, in their language: an alert's message and a score's explanation.

The core writes both in Chinese (the command line and the stored publications keep its words), and gives the
figures they are written from (``Alert.detail``, ``Component.facts``). A page writes them again from those
figures through the catalogue: a Chinese page reads exactly what the core wrote, an English page the same in
English. A ranking published before the figures were kept shows its stored explanation as it was.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yangfan.actionplans.display import listing, status_label
from yangfan.core.evaluation import STATUSES
from yangfan.core.supervision import Alert, AlertKind
from yangfan.supervision import choices


def _day(iso: str | date) -> str:
    """``2024年1月15日`` on a Chinese page (as the core and official documents write a date), ``Jan. 15, 2024``
    on an English one."""
    return date_format(date.fromisoformat(iso) if isinstance(iso, str) else iso)


def alert_message(alert: Alert) -> str:
    """``alert.message`` in the reader's language."""
    detail = alert.detail
    if alert.kind == AlertKind.MILESTONE_OVERDUE:
        due = date.fromisoformat(detail["due"])
        days = detail["days_overdue"]
        return ngettext(
            "节点“%(title)s”应于%(due)s前完成，截至%(as_of)s仍未完成，已逾期 %(days)s 天。",
            "节点“%(title)s”应于%(due)s前完成，截至%(as_of)s仍未完成，已逾期 %(days)s 天。",
            days,
        ) % {
            "title": detail["title"],
            "due": _day(due),
            "as_of": _day(due + timedelta(days=days)),
            "days": days,
        }
    if alert.kind == AlertKind.NO_REPORT:
        deadline = date.fromisoformat(detail["deadline"])
        days = detail["days_overdue"]
        values = {
            "period": alert.period,
            "deadline": _day(deadline),
            "as_of": _day(deadline + timedelta(days=days)),
            "days": days,
        }
        if detail.get("status") == "missing":
            return (
                ngettext(
                    "%(period)s 的进展报告应于%(deadline)s前报送，截至%(as_of)s仍未报送，已逾期 %(days)s 天。",
                    "%(period)s 的进展报告应于%(deadline)s前报送，截至%(as_of)s仍未报送，已逾期 %(days)s 天。",
                    days,
                )
                % values
            )
        return (
            ngettext(
                "%(period)s 的进展报告应于%(deadline)s前报送，截至%(as_of)s报告仍未提交（草稿或被退回），已逾期 %(days)s 天。",
                "%(period)s 的进展报告应于%(deadline)s前报送，截至%(as_of)s报告仍未提交（草稿或被退回），已逾期 %(days)s 天。",
                days,
            )
            % values
        )
    if alert.kind == AlertKind.STALLED:
        periods = list(detail["periods"])
        return _("连续 %(n)s 期（%(periods)s）报告进展为“%(lagging)s”，完成进度依次为 %(percents)s。") % {
            "n": len(periods),
            "periods": listing(periods),
            "lagging": choices.Progress.LAGGING.label,
            "percents": listing(f"{p}%" for p in detail["percents"]),
        }
    return alert.message  # a kind this page does not know yet: as the core says it


def notice_title(work_title: str) -> str:
    """The title a new notice is offered, e.g. 关于推进“5G+信息消费”融合任务的督办通知.

    The rule: 关于 + the task's title as written + 任务的督办通知. A task's title in the plan already says what is to
    be done, verb first (推进“5G+信息消费”融合, 加快打通跨行业协议标准), so no verb is added (it doubled: 推进推进)
    and no quotes are put around it (they nested with the quotes a title holds: “推进“5G+…”融合”). A title that
    ends in 任务 does not get a second one.
    """
    return _("关于%(task)s任务的督办通知") % {"task": work_title.strip().removesuffix("任务")}


def alert_label(kind: str) -> str:
    """The label of an alert kind (节点逾期 …); one this version does not know is shown as it comes."""
    try:
        return str(choices.AlertKind(kind).label)
    except ValueError:
        return kind


def component_label(name: str, stored: str = "") -> str:
    """The label of a score component (任务完成 …); one this version does not know keeps the ``stored`` one."""
    try:
        return str(choices.ScoreComponent(name).label)
    except ValueError:
        return stored or name


def component_explanation(component: dict) -> str:
    """A component of ``ranking_rows`` explained in the reader's language, from its ``facts``; its stored
    ``explanation`` where it has none (published before they were kept)."""
    facts = component.get("facts") or {}
    why = facts.get("not_applicable")
    if why:
        return _("不适用：%(why)s") % {"why": _not_applicable(why, facts)}
    name = component.get("name")
    if name == "completion" and "tasks" in facts:
        notes = ngettext("%(n)s 项已完成", "%(n)s 项已完成", facts["done"]) % {"n": facts["done"]}
        if facts["unreported"]:
            n = facts["unreported"]
            notes = _("%(done)s，%(unreported)s") % {
                "done": notes,
                "unreported": ngettext("%(n)s 项尚无报告（按 0%% 计）", "%(n)s 项尚无报告（按 0%% 计）", n)
                % {"n": n},
            }
        if "weighted" in facts:
            return ngettext(
                "%(n)s 项任务%(weighting)s，按最新报告平均完成 %(mean)s%%（%(notes)s）",
                "%(n)s 项任务%(weighting)s，按最新报告平均完成 %(mean)s%%（%(notes)s）",
                facts["tasks"],
            ) % {"n": facts["tasks"], "weighting": _weighting(facts), "mean": facts["mean"], "notes": notes}
        return ngettext(
            "%(n)s 项任务，按最新报告平均完成 %(mean)s%%（%(notes)s）",
            "%(n)s 项任务，按最新报告平均完成 %(mean)s%%（%(notes)s）",
            facts["tasks"],
        ) % {"n": facts["tasks"], "mean": facts["mean"], "notes": notes}
    if name == "timeliness" and "reports_due" in facts:
        text = _("应报 %(due)s 期，按时报送 %(on_time)s 期") % {
            "due": facts["reports_due"],
            "on_time": facts["reports_on_time"],
        }
        if facts["milestones_due"]:
            text += _("；到期节点 %(due)s 个，按期完成 %(on_time)s 个") % {
                "due": facts["milestones_due"],
                "on_time": facts["milestones_on_time"],
            }
        if "weighted" in facts:
            text += _weighting(facts) + _("，按时率 %(rate)s%%") % {"rate": facts["weighted"]["rate"]}
        return text
    if name == "evidence" and "reports" in facts:
        text = _("已报送 %(n)s 期报告，其中 %(evidence)s 期附有佐证材料") % {
            "n": facts["reports"],
            "evidence": facts["with_evidence"],
        }
        if "weighted" in facts:
            text += _weighting(facts) + _("，占 %(rate)s%%") % {"rate": facts["weighted"]["rate"]}
        return text
    if name == "indicators" and "judged" in facts:
        counts = facts["counts"]
        by_status = listing(
            _("%(status)s %(n)s 项") % {"status": status_label(s), "n": counts[s]}
            for s in STATUSES
            if s in counts
        )
        text = ngettext(
            "%(n)s 项指标：%(counts)s，平均 %(mean)s 分",
            "%(n)s 项指标：%(counts)s，平均 %(mean)s 分",
            facts["judged"],
        ) % {"n": facts["judged"], "counts": by_status, "mean": facts["mean"]}
        if facts["skipped"]:
            text += _("（另有 %(n)s 项数据不足或未设目标，不计）") % {"n": facts["skipped"]}
        return text
    return component.get("explanation", "")


def _weighting(facts: dict) -> str:
    """How lead (牵头) and co-operating (配合) assignments weighed in a component (``facts["weighted"]``)."""
    weighted = facts["weighted"]
    return _("（牵头 %(leads)s 项，按牵头 %(lead)s、配合 %(cooperating)s 加权）") % {
        "leads": weighted["leads"],
        "lead": weighted["lead"],
        "cooperating": weighted["cooperating"],
    }


def _not_applicable(why: str, facts: dict) -> str:
    if why == "not_started":
        return _("本单位的任务都在 %(period)s 之后才开始") % {"period": facts.get("period", "")}
    if why == "nothing_due":
        return _("截至%(day)s尚无到期的报告或节点") % {"day": _day(facts["as_of"])}
    return {
        "no_assignments": _("没有分派给本单位的任务"),
        "no_reports": _("尚无已报送的报告"),
        "no_indicators": _("本单位没有负责的指标"),
        "all_unjudged": _("所负责指标均数据不足或未设目标"),
    }.get(why, why)


def ranking_in_language(rows: list[dict]) -> list[dict]:
    """``ranking_rows`` (live or published) with each component's label and explanation in the reader's
    language; the rows themselves are left as they are (a published ranking is stored)."""
    return [
        {
            **row,
            "components": [
                {
                    **c,
                    "label": component_label(c.get("name", ""), c.get("label", "")),
                    "explanation": component_explanation(c),
                }
                for c in row["components"]
            ],
        }
        for row in rows
    ]
