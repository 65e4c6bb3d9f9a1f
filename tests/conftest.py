"""Fixtures shared by the Django tests. The bundled plan is loaded once per test database."""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

PLAN_CODE = "shaanxi-5g-2021-2023"
PLANS_DIR = Path(__file__).resolve().parents[1] / "src" / "yangfan" / "plans"


# Fixtures through which a test reaches a database: in the process (pytest-django) or in a command it runs.
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
    "scratch_database_url",
    "cli_env",
    "initialised_env",
    "site_env",
}


def pytest_collection_modifyitems(config, items):
    """With YANGFAN_TEST_DATABASE_ONLY set (the PostgreSQL run of ``make test``), leave out the tests that never
    touch a database: they ran with SQLite already, and the database cannot change their outcome."""
    if not os.environ.get("YANGFAN_TEST_DATABASE_ONLY"):
        return
    kept, left = [], []
    for item in items:
        uses = DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker(
            "django_db"
        )
        (kept if uses else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from yangfan.actionplans.services import plan_load_file
    from yangfan.core.planfile import init_plan_paths

    with django_db_blocker.unblock():
        for path in init_plan_paths():
            plan_load_file(path=path)


@pytest.fixture(autouse=True)
def _fast_password_hashing(request):
    """Argon2 is deliberately slow; in-process tests hash with MD5. Subprocess tests keep the real settings.

    Only tests with a database touch the settings, so the core's tests also run without pytest-django.
    """
    if not {"db", "transactional_db"} & set(request.fixturenames):
        return
    request.getfixturevalue("settings").PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_kept_pages(request):
    """Each test starts with no kept page parts (``audit.fragments``): a rolled-back test leaves the audit trail's
    head, the user's id and the day as the next one finds them, so its parts would match the next test's keys."""
    if not {"db", "transactional_db"} & set(request.fixturenames):
        return
    from django.core.cache import caches

    caches["fragments"].clear()


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A page asked for in English leaves English active on the thread (the locale middleware activates a language
    and nothing deactivates it), so the next test would read services' messages in English: each test ends by going
    back to the default language."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def plan(db):
    from yangfan.actionplans.models import Plan

    return Plan.objects.get(code=PLAN_CODE)


@pytest.fixture
def viewer(db, django_user_model):
    return django_user_model.objects.create_user(
        "viewer", password="Viewer-pass-2023", first_name="测试", role="viewer"
    )


ROLE_USERS = {
    # role: (capture org units, responsible unit name, operator code)
    "admin": ((), None, None),
    "auditor": ((), None, None),
    "province": ((), None, None),
    "department": ((), "省工信厅", None),
    "city-reporter": (("610100",), None, None),  # 西安
    "city-reviewer": (("610300",), None, None),  # 宝鸡
    "city-office": (("610300",), None, None),  # 宝鸡's office
    "operator": ((), None, "cmcc"),
    "viewer": ((), None, None),
    "expert": ((), None, None),
    "enterprise": (("610100",), None, None),  # an enterprise in 西安 (ENTERPRISE below)
}
# the enterprise of the test enterprise user: a supplier of the directory, registered by ``make_user``
ENTERPRISE = "秦川数智科技有限公司"
ENTERPRISE_CREDIT_CODE = "91610000MA6TG1234X"


def create_user(role: str, username: str | None = None, **overrides):
    """A user of ``role`` created through the service, scoped as ROLE_USERS says (``make_user`` in a test; a
    fixture of a wider scope that holds a database open calls it directly)."""
    from yangfan.accounts.services import user_create
    from yangfan.actionplans.models import Operator, ResponsibleUnit
    from yangfan.orgunits.models import OrgUnit

    orgs, unit, operator = ROLE_USERS[role]
    values = {
        "actor": None,
        "username": username or f"u-{role}",
        "role": role,
        "password": "Test-pass-2023!",
        "capture_org_units": list(OrgUnit.objects.filter(code__in=orgs)),
        "responsible_unit": ResponsibleUnit.objects.filter(name=unit).first() if unit else None,
        "operator": Operator.objects.filter(code=operator).first() if operator else None,
        "must_change_password": False,
    }
    if role == "enterprise":
        values["enterprise"] = _an_enterprise()
    values.update(overrides)
    return user_create(**values)


@pytest.fixture
def make_user(db):
    """A user of ``role`` created through the service, scoped as ROLE_USERS says."""
    return create_user


def _an_enterprise() -> str:
    """The test enterprise, in the supplier directory (an enterprise user must name one Yangfan knows)."""
    from datetime import date

    from yangfan.core.uscc import check_character
    from yangfan.orgunits.models import OrgUnit
    from yangfan.registries.models import Supplier

    code = ENTERPRISE_CREDIT_CODE[:17] + check_character(ENTERPRISE_CREDIT_CODE[:17])
    Supplier.objects.get_or_create(
        credit_code=code,
        defaults={
            "name": ENTERPRISE,
            "org_unit": OrgUnit.objects.get(code="610100"),
            "listed_on": date(2022, 1, 1),
        },
    )
    return ENTERPRISE


def login_as(client, user):
    """Sign ``user`` in on the test client, second factor included (administrators must have one)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    if user.role == "admin":
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for(make_user):
    """A fresh test client signed in as a new user of ``role``."""
    from django.test import Client

    def make(role: str):
        return login_as(Client(), make_user(role))

    return make


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def plan_copy(tmp_path) -> Path:
    """A writable copy of the bundled plan file with its source text beside it."""
    shutil.copytree(PLANS_DIR / "sources", tmp_path / "sources")
    target = tmp_path / f"{PLAN_CODE}.yaml"
    shutil.copy(PLANS_DIR / f"{PLAN_CODE}.yaml", target)
    return target


@contextmanager
def _scratch_database(folder: Path):
    """The URL of an empty database of the kind the suite runs on (SQLite in ``folder``, or a fresh PostgreSQL
    database dropped afterwards), for commands run in a subprocess."""
    url = os.environ.get("YANGFAN_DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{folder / 'scratch.sqlite3'}"
        return
    import psycopg

    name = f"yangfan_scratch_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _command_env(folder: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YANGFAN_")}
    env.update(
        YANGFAN_DATA_DIR=str(folder / "data"),
        YANGFAN_DATABASE_URL=database_url,
        YANGFAN_SECRET_KEY="test-only-secret-key-not-for-production",
        PYTHONIOENCODING="utf-8",
    )
    return env


@pytest.fixture
def scratch_database_url(tmp_path):
    with _scratch_database(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def site_env(tmp_path_factory):
    """The environment of one demo site shared by a whole test session (the browser tests' server)."""
    folder = tmp_path_factory.mktemp("site")
    with _scratch_database(folder) as url:
        yield _command_env(folder, url)


@pytest.fixture
def cli_env(tmp_path, scratch_database_url):
    return _command_env(tmp_path, scratch_database_url)


@pytest.fixture(scope="session")
def _initialised_template(tmp_path_factory):
    """A database ``yangfan init`` made once per session (migrated, the bundled plans loaded): the tests of
    commands that need an initialised site start from a copy of it instead of running ``init`` each time."""
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("template")
    with _scratch_database(folder) as url:
        done = subprocess.run(
            [sys.executable, "-m", "yangfan", "init"],
            env=_command_env(folder, url),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        if url.startswith("postgres"):  # a template database takes no connection while it is copied
            import psycopg

            admin = os.environ["YANGFAN_DATABASE_URL"]
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    [url.rsplit("/", 1)[1]],
                )
        yield url


@pytest.fixture
def initialised_env(tmp_path, _initialised_template):
    """The environment of a site as ``yangfan init`` leaves it (a copy of the session's template database)."""
    template = _initialised_template
    if not template.startswith("postgres"):
        target = tmp_path / "scratch.sqlite3"
        shutil.copyfile(template.removeprefix("sqlite:///"), target)
        yield _command_env(tmp_path, f"sqlite:///{target}")
        return
    import psycopg

    admin = os.environ["YANGFAN_DATABASE_URL"]
    name = f"yangfan_scratch_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template.rsplit("/", 1)[1]}"')
    yield _command_env(tmp_path, admin.rsplit("/", 1)[0] + "/" + name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def raw_csv(tmp_path):
    """Writes a raw operator file of a kind (``yangfan.pipeline.contracts``): ``raw_csv(name, kind, rows)``,
    the contract's header unless ``header`` is given; returns its path."""
    import csv

    from yangfan.pipeline.contracts import KINDS

    def write(name: str, kind: str, rows: list[list], *, encoding: str = "utf-8", header=None) -> Path:
        path = tmp_path / name
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header or KINDS[kind].columns)
            writer.writerows(rows)
        return path

    return write


def unsaved_vpn(org_unit: str = "610116"):
    """A 5G industry VPN of ``org_unit`` commissioned on 2023-03-01, not yet saved (``entry_save`` writes it)."""
    from datetime import date

    from yangfan.actionplans.models import Operator, Sector
    from yangfan.orgunits.models import OrgUnit
    from yangfan.registries.models import IndustryVpn

    return IndustryVpn(
        name="测试专网",
        enterprise="测试企业",
        operator=Operator.objects.get(code="cmcc"),
        sector=Sector.objects.filter(plan__code=PLAN_CODE).first(),
        commissioned_on=date(2023, 3, 1),
        org_unit=OrgUnit.objects.get(code=org_unit),
    )


def query(env: dict, sql: str) -> list[tuple]:
    """Rows of ``sql`` on the database a command run with ``env`` uses (SQLite, read only, or PostgreSQL): what a
    test reads of a site it did not open itself."""
    import sqlite3

    url = env.get("YANGFAN_DATABASE_URL") or f"sqlite:///{Path(env['YANGFAN_DATA_DIR']) / 'yangfan.sqlite3'}"
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(f"file:{url.removeprefix('sqlite:///')}?mode=ro", uri=True)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute(sql).fetchall()
