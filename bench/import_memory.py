"""Peak memory of ``yangfan values import --dry-run`` as a file grows: 1×, 10× and 100× the rows.

    .venv/bin/python bench/import_memory.py [--base-rows N] [--pad BYTES] [--database-url URL]

The files are the demo data set's rows (valid, each key once; the whole set is ~95,000 rows, so 100× is at most
that), written as CSV with a comment of ``--pad`` bytes on each row (default 1,000: the 100× file is then
~100 MB). Each import runs in a process of its own on one scratch database (``yangfan init``, no values), and its
peak resident set is read from the kernel (``wait4``). The baseline is the 1× file, measured in the same run: the
ratios and the memory per row above it say whether what the reader holds grows with the rows it keeps and not
with the file's bytes. Another helper's figures for the same machine are in ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environment(folder: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YANGFAN_")}
    env.update(
        YANGFAN_DATA_DIR=str(folder),
        YANGFAN_DATABASE_URL=database_url or f"sqlite:///{folder / 'bench.sqlite3'}",
        YANGFAN_SECRET_KEY="bench-only-secret-key-not-for-production",
        PYTHONIOENCODING="utf-8",
    )
    return env


def write_csv(path: Path, rows, pad: int) -> int:
    comment = ("备注" * pad)[: pad // 3]  # three bytes a character in UTF-8
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["data_element", "period", "org_unit", "operator", "value", "comment"])
        for row in rows:
            writer.writerow(
                [row.data_element, row.period, row.org_unit, row.operator or "", row.value, comment]
            )
    return path.stat().st_size


def peak_of(command: list[str], env: dict[str, str]) -> tuple[int, float, int]:
    """Peak RSS in bytes, seconds and exit status of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.stderr.write(process.stderr.read().decode(errors="replace")[-2000:])
    return usage.ru_maxrss * 1024, elapsed, process.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-rows", type=int, default=950, help="rows of the 1× file (default 950)")
    parser.add_argument("--pad", type=int, default=1000, help="bytes of comment on each row (default 1,000)")
    parser.add_argument(
        "--database-url", help="an empty PostgreSQL database instead of a scratch SQLite file"
    )
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "src"))
    from yangfan.datavalues.demo import demo_rows

    rows = demo_rows()
    folder = Path(tempfile.mkdtemp(prefix="yangfan-bench-memory-"))
    env = environment(folder, args.database_url)
    yangfan = [sys.executable, "-m", "yangfan"]
    subprocess.run([*yangfan, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    results = []
    for scale in (1, 10, 100):
        count = min(len(rows), args.base_rows * scale)
        path = folder / f"values-{scale}x.csv"
        size = write_csv(path, rows[:count], args.pad)
        peak, seconds, status = peak_of([*yangfan, "values", "import", "--dry-run", str(path)], env)
        results.append((scale, count, size, peak, seconds, status))
        path.unlink()
    base_peak = results[0][3]
    base_rows = results[0][1]
    print(
        f"{'scale':>6} {'rows':>8} {'file':>9} {'peak RSS':>10} {'× 1×':>6} {'KB/row over 1×':>15} {'s':>6}"
    )
    for scale, count, size, peak, seconds, status in results:
        per_row = (peak - base_peak) / 1024 / (count - base_rows) if count > base_rows else 0.0
        flag = "" if status == 0 else f"  (exit {status})"
        print(
            f"{scale:>5}× {count:>8,} {size / 2**20:>7.1f}MB {peak / 2**20:>8.0f}MB "
            f"{peak / base_peak:>6.2f} {per_row:>15.2f} {seconds:>6.1f}{flag}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
