"""The pages' cost under load, beside a bare Django app, at 1×, 10× and 100× the demo's stored history (issue 16).

For each store (a data directory made by ``yangfan init --demo`` and ``yangfan demo values --scale N``; ``--prepare``
makes them) the demo is served by ``yangfan serve`` (gunicorn, sync workers, the settings of ``yangfan.server``),
and beside it a bare Django app (one ORM query, one small template) by the same gunicorn settings. Each page and
the bare app are loaded in turn (interleaved) at each concurrency, for ``--duration`` seconds each, and the script
prints per page:

- server CPU ms per request (the gunicorn workers' user + system time, from /proc, over the requests served);
- requests/s and p50/p95/p99 latency as the clients saw them, and requests/s as a share of the bare app's;
- the workers' peak memory (VmHWM).

Then the import rate of ``yangfan values import`` at 10× (a year of the demo's county × operator × month figures
written as a new year, findings included), and a verdict on each target of the issue. The clients run on the same
2 cores as the servers: requests/s and latencies are those of this machine under that load, for the bare app
alike, which is why the ratios are what to compare.

    .venv/bin/python bench/web.py --prepare /tmp/yangfan-bench      # makes the 1×, 10×, 100× stores (~40 min)
    .venv/bin/python bench/web.py --store 1=/tmp/yangfan-bench/1 --store 10=/tmp/yangfan-bench/10 \\
        --store 100=/tmp/yangfan-bench/100

``--postgres SERVER`` (``postgresql://postgres@127.0.0.1:5432``) makes the stores on PostgreSQL: each store's
folder then holds its files and a ``database-url`` naming its own database on that server (``<prefix>_<scale>``,
made from the store before it as a template), which ``--store`` reads back; the bare app runs on that server too.
``--national`` measures the national successor's dashboards instead (issue 22).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from itertools import count
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLOCK = os.sysconf("SC_CLK_TCK")
NUMBERS = count()  # the {n} of a page's path
PAGES = [  # name, user, path ({n}: a number of its own for each request), CPU target at 1× (ms)
    ("省级总览", "demo-province", "/?period=2023", 60),
    ("市级总览", "demo-xian", "/?period=2023", 40),
    # the same dashboards computed on every request: a parameter they ignore makes each address a new one, so no
    # kept dashboard (portal.fragments) serves it; what a leader waits for the first time after a change
    ("省级总览（每次计算）", "demo-province", "/?period=2023&fresh={n}", None),
    ("市级总览（每次计算）", "demo-xian", "/?period=2023&fresh={n}", None),
    ("县级总览", "demo-province", "/?period=2023&org=610102", None),
    ("指标页", "demo-province", "/plans/shaanxi-5g-2021-2023/indicators/A1/?period=2023&org=610100", None),
    ("填报表格", "demo-xian", "/collection/entry/city-quarterly/610100/2023Q4/", 40),
    ("填报表格（每次计算）", "demo-xian", "/collection/entry/city-quarterly/610100/2023Q4/?fresh={n}", None),
    (
        "/api/indicators/?children=1",
        "demo-province",
        "/api/indicators/?org=610000&period=2023&children=1",
        40,
    ),
    ("/api/v1/datavalues/", "demo-province", "/api/v1/datavalues/", 20),
    # 5G应用安全: the overview a leader opens (measures, high risks by sector × city, overdue remediations)
    ("安全总览", "demo-province", "/security/", None),
    ("市级安全总览", "demo-xian-office", "/security/", None),
]

# ``--national``: the national successor's dashboards (issue 22), read by a viewer of the whole country, over the
# 31 provinces' demo values (``yangfan demo national --scale N``) with Shaanxi's cities and counties inside 610000
NATIONAL_USER, NATIONAL_PASSWORD = "demo-national", "Quanguo#5G-2027-bench"
NATIONAL_PAGES = [
    ("全国总览", NATIONAL_USER, "/?period=2025", 60),
    ("全国总览（每次计算）", NATIONAL_USER, "/?period=2025&fresh={n}", None),
    ("省级总览（全国计划）", NATIONAL_USER, "/?period=2025&org=110000", None),
    ("陕西省（全国计划，含市县）", NATIONAL_USER, "/?period=2025&org=610000&fresh={n}", None),
    (
        "/api/indicators/（全国）",
        NATIONAL_USER,
        "/api/indicators/?plan=miit-5g-upgrade-2024-2027&org=CN&period=2025&children=1",
        None,
    ),
]

BARE_SETTINGS = """
import dj_database_url

SECRET_KEY = "bench-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
DATABASES = {"default": dj_database_url.parse(%(db)r, conn_max_age=60)}
ROOT_URLCONF = "bare_app"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [%(dir)r]}]
USE_TZ = True
"""
BARE_APP = """
from django.contrib.auth.models import Group
from django.shortcuts import render
from django.urls import path


def page(request):
    return render(request, "bare.html", {"group": Group.objects.filter(pk=1).first()})


urlpatterns = [path("", page)]
"""
BARE_TEMPLATE = "<!doctype html><title>bare</title><p>{{ group.name|default:'无' }}</p>\n"


def database_url(data_dir: Path) -> str | None:
    """The PostgreSQL database of a store made with ``--postgres`` (None: the store's own SQLite file)."""
    marker = data_dir / "database-url"
    return marker.read_text(encoding="utf-8").strip() if marker.exists() else None


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YANGFAN_")}
    # the 100× store's generated history goes back 396 years before the demo's (693 for the national demo's seven
    # years a copy): its stores allow values that early
    env.update(YANGFAN_DATA_DIR=str(data_dir), PYTHONIOENCODING="utf-8", YANGFAN_BASELINE_YEARS="800")
    if url := database_url(data_dir):
        env["YANGFAN_DATABASE_URL"] = url
    return env


def server_command(server: str, sql: str) -> None:
    """One statement on the PostgreSQL server's maintenance database (CREATE / DROP DATABASE)."""
    import psycopg

    with psycopg.connect(f"{server.rstrip('/')}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def fresh_database(server: str, name: str, template: str | None = None) -> str:
    """Database ``name`` on the server, made anew (empty, or a copy of ``template``); returns its address."""
    server = server.rstrip("/")
    server_command(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server_command(server, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return f"{server}/{name}"


def copy_store(source: Path, target: Path, database: str | None = None) -> None:
    """``target`` as a copy of the store ``source``: its files, and for a PostgreSQL store its database, copied
    as ``database`` (a template copy on the same server; replaced if it exists)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("database-url"))
    url = database_url(source)
    if url is None:
        return
    server, _, name = url.rpartition("/")
    (target / "database-url").write_text(fresh_database(server, database, name) + "\n", encoding="utf-8")


def yangfan(data_dir: Path, *args: str, quiet: bool = True) -> float:
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "yangfan", *args],
        env=env_for(data_dir),
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )
    return time.monotonic() - started


def prepare(
    folder: Path, *, national: bool = False, scales=(1, 10, 100), postgres: str | None = None
) -> dict[int, Path]:
    """The 1×, 10× and 100× stores, each made from the one before it (the demo, then its history ×N); with
    ``national``, the national plan loaded beside it with its provinces' demo values ×N and a viewer of the country;
    with ``postgres`` (a server's address), each store's database on that server."""
    stores: dict[int, Path] = {}
    previous = None
    prefix = "yangfan_bench_national" if national else "yangfan_bench"
    for scale in scales:
        target = folder / str(scale)
        if not (target / ("database-url" if postgres else "yangfan.sqlite3")).exists():
            shutil.rmtree(target, ignore_errors=True)
            database = f"{prefix}_{scale}"
            if previous is not None:
                copy_store(previous, target, database)
            elif postgres:
                target.mkdir(parents=True)
                (target / "database-url").write_text(
                    fresh_database(postgres, database) + "\n", encoding="utf-8"
                )
            print(f"== 生成 {scale}× 的数据 …", flush=True)
            yangfan(target, "init", "--demo")
            if national:
                if previous is None:
                    yangfan(target, "plan", "load", "miit-5g-upgrade-2024-2027")
                    national_viewer(target)
                yangfan(target, "demo", "national", "--scale", str(scale), quiet=False)
            elif scale > 1:
                yangfan(target, "demo", "values", "--scale", str(scale), quiet=False)
        stores[scale] = previous = target
    return stores


def national_viewer(data_dir: Path) -> None:
    """A viewer of the whole country (CN), with the password set (not to be changed at the first login)."""
    env = {**env_for(data_dir), "YANGFAN_PASSWORD": NATIONAL_PASSWORD}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "yangfan",
            "users",
            "create",
            NATIONAL_USER,
            "--role",
            "viewer",
            "--org",
            "CN",
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    settle = (
        "import django; django.setup(); from yangfan.accounts.models import User; "
        f"User.objects.filter(username={NATIONAL_USER!r}).update(must_change_password=False)"
    )
    subprocess.run(
        [sys.executable, "-c", settle], env={**env, "DJANGO_SETTINGS_MODULE": "yangfan.settings"}, check=True
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_listening(port: int, process) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                raise SystemExit("服务器未能启动") from None
            time.sleep(0.2)
    raise SystemExit("服务器 90 秒内未开始监听")


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK


def peak_mib(pids: list[int]) -> float:
    peak = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            peak = max(peak, int(match.group(1)))
    return peak / 1024


class Server:
    def __init__(self, command: list[str], env: dict[str, str], port: int, cwd: Path | None = None):
        self.port = port
        self.process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_listening(port, self.process)
        time.sleep(1)

    @property
    def workers(self) -> list[int]:
        return [p for p in children(self.process.pid) if "db_worker" not in cmdline(p)]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()


def serve_yangfan(data_dir: Path) -> Server:
    port = free_port()
    return Server(
        [sys.executable, "-m", "yangfan", "serve", "--port", str(port), "--workers", "2"],
        env_for(data_dir),
        port,
    )


def serve_bare(folder: Path, postgres: str | None = None) -> Server:
    """The bare app, on a SQLite file of its own or, with ``postgres`` (a server's address), on a database of its
    own on that server."""
    (folder / "templates").mkdir(parents=True, exist_ok=True)
    (folder / "templates" / "bare.html").write_text(BARE_TEMPLATE, encoding="utf-8")
    url = f"sqlite:///{folder / 'bare.sqlite3'}"
    if postgres:
        url = fresh_database(postgres, "yangfan_bench_bare")
    (folder / "bare_settings.py").write_text(
        BARE_SETTINGS % {"db": url, "dir": str(folder / "templates")}, encoding="utf-8"
    )
    (folder / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bare_settings", "PYTHONPATH": str(folder)}
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v", "0"], env=env, cwd=folder, check=True)
    port = free_port()
    # the options of yangfan.server.run: sync workers, the same timeout, an access log to stdout
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    command += ["--worker-class", "sync", "--timeout", "120", "--access-logfile", "-"]
    command += ["django.core.wsgi:get_wsgi_application()"]
    return Server(command, env, port, cwd=folder)


def login(port: int, username: str, password: str) -> str:
    """The session cookie of ``username`` signed in through the login form."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    cookies = {
        m.group(1): m.group(2) for m in re.finditer(r"(\w+)=([^;]+);", response.getheader("Set-Cookie") or "")
    }
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(
        "POST",
        "/accounts/login/",
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies.get('csrftoken', '')}",
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    response = connection.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", " ".join(response.msg.get_all("Set-Cookie") or []))
    if response.status != 302 or session is None:
        raise SystemExit(f"{username} 登录失败（HTTP {response.status}）")
    return f"sessionid={session.group(1)}"


def load(server: Server, path: str, cookie: str, clients: int, duration: float) -> dict:
    """``clients`` threads requesting ``path`` for ``duration`` seconds: what the clients saw and what the
    workers spent."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client() -> None:
        while time.monotonic() < stop:
            with lock:
                address = path.replace("{n}", str(next(NUMBERS)))
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=180)
                connection.request("GET", address, headers={"Cookie": cookie} if cookie else {})
                response = connection.getresponse()
                response.read()
                status = response.status
                connection.close()
            except OSError as exc:
                status = str(exc)
            elapsed = time.perf_counter() - started
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors.append(str(status))

    workers = server.workers
    cpu_before = cpu_seconds(workers)
    began = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - began
    served = len(latencies) + len(errors)
    cpu = cpu_seconds(workers) - cpu_before
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": served,
        "errors": len(errors),
        "error_sample": errors[:3],
        "rps": len(latencies) / wall,
        "cpu_ms": 1000 * cpu / served if served else float("nan"),
        "p50": 1000 * quantiles[49],
        "p95": 1000 * quantiles[94],
        "p99": 1000 * quantiles[98],
    }


def import_rate(store: Path) -> float:
    """``yangfan values import`` of the demo's figures (its four years moved to 2032–2035, 95,510 rows) into a copy
    of ``store``, end to end: the process, its findings included. Prints the run and returns its rows per second."""
    sys.path.insert(0, str(ROOT / "src"))
    from yangfan.datavalues.demo import demo_rows

    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "store"
        copy_store(store, copy, "yangfan_bench_import")
        path = Path(scratch) / "values.csv"
        rows = demo_rows()
        with path.open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["data_element", "period", "org_unit", "value", "operator", "comment"])
            for r in rows:
                period = f"{int(r.period[:4]) + 12}{r.period[4:]}"
                out.writerow([r.data_element, period, r.org_unit, r.value, r.operator or "", "基准测试"])
        seconds = yangfan(copy, "values", "import", str(path))
        if url := database_url(copy):
            server_command(url.rpartition("/")[0], 'DROP DATABASE "yangfan_bench_import" WITH (FORCE)')
    rate = len(rows) / seconds
    print(
        f"\n导入（10×，yangfan values import，含校验结果）：{len(rows):,} 行，{seconds:.1f} 秒，{rate:,.0f} 行/秒"
    )
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", type=Path, help="在此目录生成 1×、10×、100× 的数据后测量")
    parser.add_argument("--store", action="append", default=[], help="倍数=数据目录，如 10=/tmp/b/10")
    parser.add_argument("--duration", type=float, default=3.0, help="每项测量的秒数（默认 3）")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--no-import", action="store_true", help="不测导入速度")
    parser.add_argument("--only-import", action="store_true", help="只测导入速度（需 10× 的数据）")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100], help="--prepare 生成的倍数")
    parser.add_argument(
        "--national", action="store_true", help="测全国升级方案的页面（31 个省的演示数据，--prepare 时生成）"
    )
    parser.add_argument(
        "--postgres",
        metavar="SERVER",
        help="--prepare 时把数据放在此 PostgreSQL 服务器上（如 postgresql://postgres@127.0.0.1:5432），每个倍数一个数据库",
    )
    args = parser.parse_args()
    if args.national:
        PAGES[:] = NATIONAL_PAGES
    stores = {}
    if args.prepare:
        stores = prepare(args.prepare, national=args.national, scales=args.scales, postgres=args.postgres)
    for item in args.store:
        scale, _, folder = item.partition("=")
        stores[int(scale)] = Path(folder)
    if not stores:
        parser.error("请给出 --prepare 或 --store")
    servers = {url.rpartition("/")[0] if url else None for url in map(database_url, stores.values())}
    if len(servers) > 1:
        parser.error("各倍数的数据须在同一种数据库上（都是 SQLite，或都在同一个 PostgreSQL 服务器上）")
    postgres = servers.pop()
    print(f"数据库：{'PostgreSQL ' + postgres if postgres else 'SQLite'}", flush=True)
    sys.path.insert(0, str(ROOT / "src"))
    from yangfan.demo import DEMO_LOGINS

    passwords = {d.username: d.password for d in DEMO_LOGINS} | {NATIONAL_USER: NATIONAL_PASSWORD}
    if args.only_import:
        import_rate(stores[10])
        return 0
    results: dict[tuple[int, str, int], dict] = {}
    bare_results: dict[tuple[int, int], list[dict]] = {}
    memory: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        bare = serve_bare(Path(scratch), postgres)
        try:
            for scale, folder in sorted(stores.items()):
                server = serve_yangfan(folder)
                try:
                    cookies = {u: login(server.port, u, passwords[u]) for u in {p[1] for p in PAGES}}
                    for _name, user, path, _target in PAGES:  # warm: each worker's first request
                        for _ in range(4):
                            load(server, path, cookies[user], 1, 0.01)
                    for clients in args.clients:
                        for name, user, path, _target in PAGES:
                            bare_results.setdefault((scale, clients), []).append(
                                load(bare, "/", "", clients, args.duration)
                            )
                            found = results[(scale, name, clients)] = load(
                                server, path, cookies[user], clients, args.duration
                            )
                            print(
                                f"{scale:>4}× {clients:>3} 并发  {name:<28} CPU {found['cpu_ms']:7.1f} ms/请求  "
                                f"{found['rps']:7.1f} 请求/秒  p95 {found['p95']:7.1f} ms  错误 {found['errors']}",
                                flush=True,
                            )
                    memory[scale] = peak_mib(server.workers)
                finally:
                    server.stop()
        finally:
            bare.stop()
    report(results, bare_results, memory, sorted(stores), args.clients)
    verdicts = targets(results, bare_results, memory, sorted(stores))
    if not args.no_import and 10 in stores:
        rate = import_rate(stores[10])
        verdicts.append(("10× 时 yangfan values import ≥ 5,000 行/秒", rate >= 5000, f"{rate:,.0f} 行/秒"))
    print("\n== 目标 ==")
    for label, met, figure in verdicts:
        print(f"  [{'参考' if met is None else '达成' if met else '未达成'}] {label}：{figure}")
    met = sum(1 for _l, m, _f in verdicts if m)
    missed = sum(1 for _l, m, _f in verdicts if m is False)
    print(f"\n{met} 项达成，{missed} 项未达成。")
    return 0


def bare_of(bare_results, scale: int, clients: int) -> dict:
    runs = bare_results[(scale, clients)]
    return {key: statistics.median(r[key] for r in runs) for key in ("rps", "cpu_ms", "p95")}


def report(results, bare_results, memory, scales, clients_list) -> None:
    print("\n== 每页的代价（与同一轮测量的空白 Django 应用相比）==")
    for scale in scales:
        print(f"\n{scale}× 数据，工作进程内存峰值 {memory[scale]:.0f} MiB")
        print(
            f"{'页面':<30}{'并发':>4}{'CPU ms':>9}{'请求/秒':>9}{'p50':>8}{'p95':>8}{'p99':>8}{'空白应用比':>10}{'错误':>5}"
        )
        for clients in clients_list:
            bare = bare_of(bare_results, scale, clients)
            print(
                f"{'（空白应用）':<30}{clients:>4}{bare['cpu_ms']:>9.1f}{bare['rps']:>9.1f}{'':>8}{bare['p95']:>8.1f}"
            )
            for name, *_rest in PAGES:
                r = results[(scale, name, clients)]
                share = r["rps"] / bare["rps"] if bare["rps"] else float("nan")
                print(
                    f"{name:<30}{clients:>4}{r['cpu_ms']:>9.1f}{r['rps']:>9.1f}{r['p50']:>8.1f}{r['p95']:>8.1f}"
                    f"{r['p99']:>8.1f}{f'1/{1 / share:.1f}' if share else '—':>10}{r['errors']:>5}"
                )


def targets(results, bare_results, memory, scales) -> list[tuple[str, bool, str]]:
    verdicts = []
    first, last = scales[0], scales[-1]
    for name, _user, _path, target in PAGES:
        if target is not None and (first, name, 1) in results:
            cpu = results[(first, name, 1)]["cpu_ms"]
            verdicts.append((f"{name} 在 {first}× 时 ≤ {target} ms CPU", cpu <= target, f"{cpu:.1f} ms"))
    if last != first:
        # The machine's own speed drifts within a run (the bare app's CPU per request has moved by half between the
        # first and the last store of one run): each page's CPU is taken relative to the bare app's measured in the
        # same rounds (one client), and that share compared between the stores. The raw ratio is printed beside it.
        speed = bare_of(bare_results, last, 1)["cpu_ms"] / bare_of(bare_results, first, 1)["cpu_ms"]
        for name, *_rest in PAGES:
            a, b = results[(first, name, 1)]["cpu_ms"], results[(last, name, 1)]["cpu_ms"]
            relative = b / a / speed
            verdicts.append(
                (
                    f"{name} 在 {last}× 时不超过 {first}× 的 1.5 倍",
                    relative <= 1.5,
                    f"{relative:.2f} 倍（按同轮空白应用折算；未折算 {b / a:.2f} 倍，空白应用 {speed:.2f} 倍）",
                )
            )
    for scale in scales:
        verdicts.append(
            (f"{scale}× 时工作进程内存 < 300 MiB", memory[scale] < 300, f"{memory[scale]:.0f} MiB")
        )
    if (first, "省级总览", 32) in results:
        for scale in scales:
            r = results[(scale, "省级总览", 32)]
            bare = bare_of(bare_results, scale, 32)
            share = r["rps"] / bare["rps"]
            verdicts.append(
                (f"{scale}× 32 并发：省级总览 ≥ 空白应用的 1/10", share >= 0.1, f"1/{1 / share:.1f}")
            )
            verdicts.append(
                (f"{scale}× 32 并发：省级总览 p95 < 500 ms", r["p95"] < 500, f"{r['p95']:.0f} ms")
            )
    for name, _user, path, _target in PAGES:  # no target of their own: printed beside the verdicts
        if "{n}" in path and (first, name, 1) in results:
            cpu = results[(first, name, 1)]["cpu_ms"]
            verdicts.append((f"{name} 在 {first}× 时", None, f"{cpu:.1f} ms CPU"))
    errors = sum(r["errors"] for r in results.values())
    verdicts.append(("所有测量中没有错误", errors == 0, f"{errors} 个错误"))
    return verdicts


if __name__ == "__main__":
    raise SystemExit(main())
