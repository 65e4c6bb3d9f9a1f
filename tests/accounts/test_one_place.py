"""Who may see or change what is decided in ``accounts/permissions.py`` alone: no other module or template
compares a user's role or names one (a role's name is what a rule would compare it with)."""

from __future__ import annotations

import re
from pathlib import Path

import yangfan

SOURCE = Path(yangfan.__file__).parent
OWN = {SOURCE / "accounts" / "permissions.py", SOURCE / "accounts" / "choices.py"}
# a role compared, or a role named, anywhere (an ingest file's role, FileRole, is another thing)
RULES = (
    re.compile(r"\brole\s*(==|!=)(?!\s*FileRole)"),
    re.compile(r"\.role\s+(not\s+)?in\b"),
    re.compile(r"\brole__in\b|\brole\s*=\s*Role\."),
    re.compile(r"(?<!File)\bRole\.(?!choices\b)[A-Z_]+\b"),
)
ALLOWED = {"choices=Role.choices, default=Role.VIEWER"}  # the field itself (accounts/models.py)


def offences(text: str) -> list[str]:
    return [
        line.strip()
        for line in text.splitlines()
        if not any(allowed in line for allowed in ALLOWED) and any(rule.search(line) for rule in RULES)
    ]


def test_the_rules_catch_a_role_compared_or_named():
    assert offences("if user.role == Role.OPERATOR:")
    assert offences('{% if user.role == "admin" %}')
    assert offences("    if actor.role in (R.CITY_REPORTER,):")
    assert offences("User.objects.filter(role=Role.EXPERT)")
    assert offences("rows.filter(role__in=PERMISSIONS['x'])")
    assert not offences("files = [f for f in run.files if f.role == FileRole.DATA]")
    assert not offences('<form role="search">')


def test_no_role_is_compared_outside_the_permission_module():
    found = {}
    for path in sorted(SOURCE.rglob("*")):
        if path.suffix not in (".py", ".html") or path in OWN or "migrations" in path.parts:
            continue
        lines = offences(path.read_text(encoding="utf-8"))
        if lines:
            found[str(path.relative_to(SOURCE))] = lines
    assert not found, f"roles compared outside accounts/permissions.py: {found}"
