"""Fixtures of the browser tests: a demo server (`yangfan init --demo`, `yangfan serve`) and a page of Debian's
Chromium driven by Playwright (its own browser download cannot work here) that records console errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _serving(cli_env: dict[str, str]):
    """``yangfan serve`` on a site (its environment) until the block ends; yields its address."""
    port = _free_port()
    # the site's output (gunicorn, the job worker) goes to a file: a pipe nobody reads would fill up and stall
    # them, and the file is there to read when a test fails (``server_log``)
    log = Path(cli_env["YANGFAN_DATA_DIR"]) / "serve.log"
    output = log.open("w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "yangfan", "serve", "--port", str(port), "--workers", "1"],
        env=cli_env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, log.read_text(encoding="utf-8")
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("yangfan serve did not start listening within 60 s")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    output.close()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def server(site_env):
    """One demo site (a copy of the session's ``yangfan init --demo``, then ``yangfan serve``) for the whole
    session: tests that change data use their own period, data set or unit, so that no test depends on another's
    order."""
    with _serving(site_env) as address:
        yield address


@pytest.fixture(scope="module")
def successor_server(successor_env):
    """The demo site with the national successor plan loaded (``successor_env``), served."""
    with _serving(successor_env) as address:
        yield address


@pytest.fixture
def server_log(server, site_env):
    """The last lines the demo site (web server and job worker) wrote, for a failing test's message."""

    def tail(lines: int = 60) -> str:
        path = Path(site_env["YANGFAN_DATA_DIR"]) / "serve.log"
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    return tail


@pytest.fixture
def page():
    """A fresh page; ``page.console_errors`` collects the console's errors (CSP violations are reported
    there too, and also in ``page.csp_violations`` from the document's ``securitypolicyviolation`` events)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.console_errors = []
        page.csp_violations = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        page.expose_function("_yangfanCspViolation", lambda text: page.csp_violations.append(text))
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => window._yangfanCspViolation("
            "e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));"
        )
        yield page
        browser.close()


@pytest.fixture
def login(server, page):
    """Sign in through the login form as ``username``; lands on the overview."""

    def sign_in(username: str, password: str) -> None:
        page.goto(server + "/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", name="总览")).to_be_visible()

    return sign_in


@pytest.fixture
def shot(page):
    """``shot(name)`` keeps a screenshot of the page as ``NAME.png`` in ``$YANGFAN_SCREENSHOTS`` (when set):
    ``make screenshots`` refreshes the README's from the test run, so they show what the tests saw."""

    def take(name: str, *, full_page: bool = False) -> None:
        folder = os.environ.get("YANGFAN_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)

    return take
