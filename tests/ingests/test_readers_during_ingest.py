"""Long writes never break reads: while an ingest writes its values in one long transaction, other users' pages and
the API keep answering (SQLite in WAL mode, and PostgreSQL), because reading a page writes nothing."""

from __future__ import annotations

import http.cookiejar
import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "Reader#5G-2023-test"
SETUP = """
from yangfan.cli import setup_django
setup_django()
from yangfan.accounts.models import User
from yangfan.accounts.services import token_create, user_create
user = user_create(actor=None, username="reader", role="province", password={password!r}, must_change_password=False)
print(token_create(actor=None, user=user, days=1, name="reader")[1])
"""


def _run(env, *args, timeout=300) -> str:
    done = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(env):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "yangfan", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            assert process.poll() is None, "yangfan serve ended"
            time.sleep(0.2)
    process.kill()
    raise AssertionError("yangfan serve did not start listening within 60 s")


def _signed_in(base: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"username": "reader", "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(f"{base}/accounts/login/", data=form, headers={"Referer": base})
    assert opener.open(request, timeout=30).status == 200
    return opener


def test_pages_and_the_api_answer_while_an_ingest_writes(initialised_env, tmp_path):
    env = initialised_env
    api_token = _run(env, "-c", SETUP.format(password=PASSWORD)).strip().splitlines()[-1]
    raw = tmp_path / "raw"
    _run(env, "-m", "yangfan", "demo", "raw", "--kinds", "base-stations", "--year", "2021", "-o", str(raw))
    server, base = _serve(env)
    try:
        opener = _signed_in(base)
        assert "总览" in opener.open(f"{base}/?period=2021", timeout=30).read().decode()
        results: list[tuple[str, int | str]] = []
        stop = threading.Event()

        def read_pages() -> None:
            while not stop.is_set():
                for path in ("/?period=2021", "/orgunits/610100/?period=2021"):
                    try:
                        results.append((path, opener.open(f"{base}{path}", timeout=60).status))
                    except (urllib.error.HTTPError, urllib.error.URLError) as exc:
                        results.append((path, str(exc)))

        def read_api() -> None:
            headers = {"Authorization": f"Bearer {api_token}"}
            while not stop.is_set():
                for path in ("/api/indicators/?org=610000&period=2021&children=1", "/api/v1/datavalues/"):
                    request = urllib.request.Request(f"{base}{path}", headers=headers)
                    try:
                        results.append((path, urllib.request.urlopen(request, timeout=60).status))
                    except (urllib.error.HTTPError, urllib.error.URLError) as exc:
                        results.append((path, str(exc)))

        readers = [threading.Thread(target=read_pages), threading.Thread(target=read_api)]
        for reader in readers:
            reader.start()
        started = time.monotonic()
        ingest = subprocess.run(
            [sys.executable, "-m", "yangfan", "ingest", "base-stations", str(raw / "base-stations.parquet")],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        during = len(results)
        stop.set()
        for reader in readers:
            reader.join(timeout=120)
        assert ingest.returncode == 0, ingest.stderr
        assert during >= 10, f"only {during} reads in the {time.monotonic() - started:.1f} s of the ingest"
        failed = [(path, status) for path, status in results if status != 200]
        assert failed == []
        # and what the ingest wrote is what the next read shows
        request = urllib.request.Request(
            f"{base}/api/indicators/?org=610000&period=2021", headers={"Authorization": f"Bearer {api_token}"}
        )
        rows = json.loads(urllib.request.urlopen(request, timeout=60).read())
        [a5] = [r for r in rows if r["indicator"] == "A5"]
        assert a5["numerator"] is not None and int(a5["numerator"]) > 0  # the stations the ingest counted
    finally:
        server.terminate()
        server.wait(timeout=60)
