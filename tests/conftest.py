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
    "demo_template",
    "demo_env",
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


@pytest.fixture(scope="session", autouse=True)
def _static_files_listed_once():
    """WhiteNoise lists every static file of every app (``WHITENOISE_USE_FINDERS``) each time its middleware is
    made, and each test client makes the middleware anew: ~180 files stat'ed and their headers built per client,
    a quarter of the permission matrix's time. The files do not change during a run, so the list is made once per
    set of serving options and handed to every later middleware (the same responders a fresh listing builds)."""
    try:
        from whitenoise.middleware import WhiteNoiseMiddleware
    except ImportError:  # the core's tests run without Django's extras too
        yield
        return
    original = WhiteNoiseMiddleware.add_files_from_finders
    listed: dict[tuple, dict] = {}

    def add_files_from_finders(self):
        from django.conf import settings

        key = (
            self.static_prefix,
            self.max_age,
            self.allow_all_origins,
            self.charset,
            self.index_file,
            *(
                repr(getattr(settings, name, None))
                for name in (
                    "WHITENOISE_MIMETYPES",
                    "WHITENOISE_ADD_HEADERS_FUNCTION",
                    "WHITENOISE_IMMUTABLE_FILE_TEST",
                    "STATICFILES_DIRS",
                    "STATICFILES_FINDERS",
                    "INSTALLED_APPS",
                )
            ),
        )
        if key not in listed:
            before = dict(self.files)
            original(self)
            listed[key] = {url: f for url, f in self.files.items() if before.get(url) is not f}
        self.files.update(listed[key])

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders
    yield
    WhiteNoiseMiddleware.add_files_from_finders = original


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


@pytest.fixture
def cli_env(tmp_path, scratch_database_url):
    return _command_env(tmp_path, scratch_database_url)


@contextmanager
def _template_site(folder: Path, *args: str):
    """A site made once by ``yangfan ARGS`` on an empty database, to be copied (``_site_copy``): yields its
    database URL and the command's output. On PostgreSQL its connections are closed, as a template database
    takes none while it is copied."""
    import subprocess
    import sys

    with _scratch_database(folder) as url:
        done = subprocess.run(
            [sys.executable, "-m", "yangfan", *args],
            env=_command_env(folder, url),
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        if url.startswith("postgres"):
            import psycopg

            admin = os.environ["YANGFAN_DATABASE_URL"]
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    [url.rsplit("/", 1)[1]],
                )
        yield url, done


@contextmanager
def _site_copy(template: str, template_folder: Path, folder: Path):
    """The environment of a copy of a template site in ``folder``: its database (SQLite: the file; PostgreSQL: a
    database made from it as a template, dropped afterwards) and its data directory's files (evidence, kept files)."""
    if (template_folder / "data").exists():
        shutil.copytree(template_folder / "data", folder / "data", dirs_exist_ok=True)
    if not template.startswith("postgres"):
        target = folder / "scratch.sqlite3"
        shutil.copyfile(template.removeprefix("sqlite:///"), target)
        yield _command_env(folder, f"sqlite:///{target}")
        return
    import psycopg

    admin = os.environ["YANGFAN_DATABASE_URL"]
    name = f"yangfan_scratch_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template.rsplit("/", 1)[1]}"')
    yield _command_env(folder, admin.rsplit("/", 1)[0] + "/" + name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _initialised_template(tmp_path_factory):
    """A database ``yangfan init`` made once per session (migrated, the bundled plans loaded): the tests of
    commands that need an initialised site start from a copy of it instead of running ``init`` each time."""
    folder = tmp_path_factory.mktemp("template")
    with _template_site(folder, "init") as (url, _done):
        yield url, folder


@pytest.fixture
def initialised_env(tmp_path, _initialised_template):
    """The environment of a site as ``yangfan init`` leaves it (a copy of the session's template database)."""
    with _site_copy(*_initialised_template, tmp_path) as env:
        yield env


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """A site ``yangfan init --demo`` made once per session on an empty database, and that command's output: the
    browser tests' demo site is a copy of it, and ``init --demo`` run a second time is tried on another copy (the
    demo set is ~100,000 values, each audited: loading it is most of a minute)."""
    folder = tmp_path_factory.mktemp("demo-template")
    with _template_site(folder, "init", "--demo") as (url, done):
        yield url, folder, done


@pytest.fixture
def demo_env(tmp_path, demo_template):
    """The environment of a copy of the session's demo site (``yangfan init --demo`` on an empty database)."""
    url, folder, _done = demo_template
    with _site_copy(url, folder, tmp_path) as env:
        yield env


@pytest.fixture(scope="session")
def site_env(tmp_path_factory, demo_template):
    """The environment of one demo site shared by a whole test session (the browser tests' server): a copy of the
    session's demo template."""
    url, folder, _done = demo_template
    with _site_copy(url, folder, tmp_path_factory.mktemp("site")) as env:
        yield env


@pytest.fixture(scope="session")
def successor_env(tmp_path_factory, demo_template):
    """A demo site with the national successor plan loaded beside the Shaanxi plan (``yangfan plan load``): a site of
    its own, since the plan loaded changes which plan an unscoped user lands on."""
    import subprocess
    import sys

    url, folder, _done = demo_template
    with _site_copy(url, folder, tmp_path_factory.mktemp("successor")) as env:
        done = subprocess.run(
            [sys.executable, "-m", "yangfan", "plan", "load", "miit-5g-upgrade-2024-2027"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        yield env


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
