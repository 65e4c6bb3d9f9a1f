"""A 督办单 and its 反馈 as official documents (``documents.OfficialDocument``): who issues them, their numbers,
addressees and bodies, from the notice as stored. The issuing office's name and the number's prefix come from
the plan file's ``supervision`` section."""

from __future__ import annotations

from django.utils import timezone

from yangfan.core.targets import Status
from yangfan.documents.word.official import OfficialDocument
from yangfan.supervision.models import NoticeAnswer, SupervisionNotice


def _issuer(notice: SupervisionNotice) -> str:
    return notice.issuer


def _figure_lines(figures: list) -> list[str]:
    lines = []
    for f in figures or []:
        try:
            status = Status(f.get("status")).label
        except ValueError:
            status = f.get("status") or "—"
        lines.append(
            f"{f.get('org_unit', '')} {f.get('period', '')}：{f.get('name', f.get('indicator', ''))}为 "
            f"{f.get('value') or '—'}，目标为 {f.get('target') or '—'}，{status}。"
        )
    return lines


def notice_document(notice: SupervisionNotice) -> OfficialDocument:
    a = notice.assignment
    body: list = [
        f"根据《{notice.plan.name}》任务分工，你单位负责“{a.task.code} {a.work_title}”（责任单位：{a.task.responsibility}）。"
        f"现就该项任务推进中存在的问题督办如下。",
        (1, "存在问题"),
        *[line for line in notice.issue.splitlines() if line.strip()],
    ]
    figures = _figure_lines(notice.figures)
    if figures:
        body += [(1, "相关指标数据"), *figures]
    body += [
        (1, "督办要求"),
        *[line for line in notice.required_action.splitlines() if line.strip()],
        f"请于{notice.deadline.year}年{notice.deadline.month}月{notice.deadline.day}日前将办理情况书面反馈（通过扬帆平台提交反馈并上传佐证材料）。",
    ]
    issued = timezone.localtime(notice.issued_at).date()
    return OfficialDocument(
        issuer=_issuer(notice),
        number=notice.number,
        title=notice.title,
        addressee=a.unit_name,
        body=tuple(body),
        signatory=_issuer(notice),
        date=issued,
        printer=_issuer(notice),
        printed_on=issued,
    )


def answer_document(answer: NoticeAnswer) -> OfficialDocument:
    notice = answer.notice
    a = notice.assignment
    body: list = [
        f"{notice.number}《{notice.title}》收悉。现将办理情况反馈如下。",
        *[line for line in answer.text.splitlines() if line.strip()],
    ]
    names = tuple(e.name for e in answer.evidence.all())
    answered = timezone.localtime(answer.answered_at).date()
    return OfficialDocument(
        issuer=a.unit_name,
        number=f"{notice.number}·反馈{answer.serial}",
        title=f"关于{notice.number}督办事项办理情况的反馈",
        addressee=_issuer(notice),
        body=tuple(body),
        signatory=a.unit_name,
        date=answered,
        attachments=names,
        printer=a.unit_name,
        printed_on=answered,
    )
