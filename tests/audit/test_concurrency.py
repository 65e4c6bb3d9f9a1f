"""Processes appending at the same time still form one unbroken chain (advisory lock / IMMEDIATE transactions).

Runs in separate processes against a scratch database of the suite's kind, because the entries have to be
committed for the writers to see each other.
"""

from __future__ import annotations

import json
import subprocess
import sys

WRITERS = 4
ENTRIES_EACH = 40

SETUP = "import django, os, sys; os.environ['DJANGO_SETTINGS_MODULE'] = 'yangfan.settings'; django.setup()\n"
APPEND = SETUP + (
    "from yangfan.audit.services import audit_record\n"
    f"for i in range({ENTRIES_EACH}):\n"
    "    audit_record(action='create', object_repr=f'写入者{sys.argv[1]}-{i}')\n"
)
VERIFY = SETUP + (
    "import json\n"
    "from yangfan.audit.models import AuditEntry\n"
    "from yangfan.audit.services import audit_verify\n"
    "r = audit_verify()\n"
    "seqs = list(AuditEntry.objects.order_by('seq').values_list('seq', flat=True))\n"
    "print(json.dumps({'ok': r.ok, 'checked': r.checked, 'problems': r.problems, 'seqs': seqs}))\n"
)


def _python(code: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_concurrent_writers_form_one_unbroken_chain(cli_env):
    env = {**cli_env, "DJANGO_SETTINGS_MODULE": "yangfan.settings"}
    migrate = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--skip-checks", "-v", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", APPEND, str(n)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    for writer in writers:
        _out, errors = writer.communicate(timeout=300)
        assert writer.returncode == 0, errors

    checked = _python(VERIFY, env=env)
    assert checked.returncode == 0, checked.stderr
    result = json.loads(checked.stdout)
    total = WRITERS * ENTRIES_EACH
    assert result == {"ok": True, "checked": total, "problems": [], "seqs": list(range(1, total + 1))}
