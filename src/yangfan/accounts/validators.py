"""The password policy's own checks, beside Django's (``AUTH_PASSWORD_VALIDATORS``)."""

from __future__ import annotations

import re
import string

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c in string.ascii_lowercase for c in password),
            any(c in string.ascii_uppercase for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _("密码须包含小写字母、大写字母、数字、符号中的至少 %(n)d 类。") % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("至少包含小写字母、大写字母、数字、符号中的 %(n)d 类。") % {"n": self.min_classes}


# What people put around a common word to pass "digits and symbols": password123!, !Qwerty2023
_AFFIXES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
# Look-alike characters written for letters (p@ssw0rd); both readings of 1 are tried.
_LEET = str.maketrans(
    {"0": "o", "3": "e", "4": "a", "@": "a", "5": "s", "$": "s", "7": "t", "!": "i", "|": "l"}
)
_MIN_CORE = 4  # a shorter word inside a long password (a name, "5g") is no reason to refuse it


class CommonPasswordVariantValidator(CommonPasswordValidator):
    """Refuses a common password dressed up with digits and symbols, or written in look-alikes.

    Django's check compares the whole password with its list, so ``password123!`` passed it (and the
    character-classes rule, which the digits and the symbol satisfy) although it is among the first a guesser
    tries. The word left after taking digits and symbols off both ends, and its look-alike readings, are
    compared with the same list."""

    def validate(self, password: str, user=None) -> None:
        if any(candidate in self.passwords for candidate in _variants(password)):
            raise ValidationError(
                _("密码只是在常见密码前后加了数字或符号（或用形近字符替换字母），过于简单。"),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _("不能是常见密码加数字或符号。")


def _variants(password: str) -> set[str]:
    lowered = password.strip().lower()
    readings = {lowered, lowered.translate(_LEET)}
    readings |= {r.replace("1", "i") for r in readings} | {r.replace("1", "l") for r in readings}
    cores = {_AFFIXES.sub("", r) for r in readings} | {_AFFIXES.sub("", lowered).translate(_LEET)}
    return {c for c in cores | readings if len(c) >= _MIN_CORE}


class NotCurrentPasswordValidator:
    """Refuses setting the password the account already has: a forced change that changes nothing.

    Compared with the stored hash directly (``hashers.check_password``), not ``user.check_password``, which
    would save the account when it upgrades an old hash."""

    def validate(self, password: str, user=None) -> None:
        encoded = getattr(user, "password", "")
        if encoded and check_password(password, encoded):
            raise ValidationError(_("新密码不能与当前密码相同。"), code="password_unchanged")

    def get_help_text(self) -> str:
        return _("不能与当前密码相同。")
