"""The daily job of task supervision: notices unanswered past their deadline are escalated (``services.
notices_escalate``), notices nearing their deadline and milestones turning yellow or red are announced
(``announce.lights_daily``); each run enqueues the next (``jobs.schedule_daily``)."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from yangfan.jobs import next_run, schedule_daily


@task()
def notices_daily(today: str | None = None) -> dict[str, int]:
    from yangfan.supervision.announce import lights_daily
    from yangfan.supervision.services import notices_escalate

    day = date.fromisoformat(today) if today else None
    try:
        escalated = notices_escalate(today=day)
        return {"escalated": len(escalated), **lights_daily(today=day)}
    finally:
        schedule_daily(notices_daily, run_after=next_run())
