"""E-mail, sent only when an SMTP server is configured (``YANGFAN_SMTP_HOST``, i.e. ``settings.EMAIL_HOST``): the
daily 催报 reminders (``collection.reminders``) and each new notification use these. A server that refuses or
cannot be reached is logged and leaves the in-app item standing; nothing is retried from here."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage

logger = logging.getLogger(__name__)


def email_enabled() -> bool:
    """E-mail goes out only when an SMTP server is configured (``YANGFAN_SMTP_HOST``)."""
    return bool(settings.EMAIL_HOST)


def email_send(*, subject: str, body: str, to: Iterable[str]) -> bool:
    """Send one message to ``to``; ``False`` (logged) when the server refused it or could not be reached."""
    addresses = [a for a in to if a]
    if not addresses:
        return False
    try:
        EmailMessage(subject=subject, body=body, to=addresses).send()
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("邮件发送失败（%s → %s）：%s", subject, ", ".join(addresses), exc)
        return False
    return True
