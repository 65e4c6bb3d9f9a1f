"""Fixtures shared by the Django tests. The bundled plan is loaded once per test database."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

PLAN_CODE = "shaanxi-5g-2021-2023"
PLANS_DIR = Path(__file__).resolve().parents[1] / "src" / "yangfan" / "plans"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from yangfan.actionplans.services import plan_load_file
    from yangfan.core.planfile import bundled_plan_paths

    with django_db_blocker.unblock():
        for path in bundled_plan_paths():
            plan_load_file(path=path)


@pytest.fixture
def plan(db):
    from yangfan.actionplans.models import Plan

    return Plan.objects.get(code=PLAN_CODE)


@pytest.fixture
def viewer(db, django_user_model):
    return django_user_model.objects.create_user("viewer", password="Viewer-pass-2023", first_name="测试")


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


@pytest.fixture
def scratch_database_url(tmp_path):
    """An empty database of the kind the suite runs on, for commands run in a subprocess."""
    url = os.environ.get("YANGFAN_DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    import psycopg

    name = f"yangfan_scratch_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def cli_env(tmp_path, scratch_database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("YANGFAN_")}
    env.update(
        YANGFAN_DATA_DIR=str(tmp_path / "data"),
        YANGFAN_DATABASE_URL=scratch_database_url,
        YANGFAN_SECRET_KEY="test-only-secret-key-not-for-production",
        PYTHONIOENCODING="utf-8",
    )
    return env
