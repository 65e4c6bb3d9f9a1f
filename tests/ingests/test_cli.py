"""``yangfan demo raw``, ``yangfan ingest`` and ``yangfan ingest show`` as a person runs them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.test_cli import assert_one_line_error, yangfan


def test_generated_files_ingest_and_show_their_lineage(initialised_env, tmp_path):
    raw = tmp_path / "raw"
    made = yangfan(
        "demo", "raw", "-o", str(raw), "--fraction", "0.001", "--kinds", "base-stations", "iot-sims",
        env=initialised_env,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "演示原始数据（生成，非真实统计）" in made.stdout
    assert "演示数据（生成，非真实统计）" in (raw / "README.txt").read_text("utf-8")
    stations = raw / "base-stations.parquet"

    first = yangfan("ingest", "base-stations", str(stations), env=initialised_env)
    assert first.returncode == 0, first.stderr
    assert "汇总批次 #1（基站清单，duckdb" in first.stdout and "拒收 0 行" in first.stdout
    again = yangfan("ingest", "base-stations", str(stations), env=initialised_env)
    assert "新增 0 个、修改 0 个" in again.stdout

    dry = yangfan("ingest", "iot-sims", str(raw / "iot-sims.parquet"), "--dry-run", env=initialised_env)
    assert dry.returncode == 0 and "（预览，未写入）汇总批次 #3" in dry.stdout, dry.stderr
    assert "确认后将新增" in dry.stdout and "对附件指标的影响（省和各市）" in dry.stdout
    assert "yangfan ingest apply 3" in dry.stdout
    applied = yangfan("ingest", "apply", "3", env=initialised_env)
    assert applied.returncode == 0 and "汇总批次 #3" in applied.stdout and "新增" in applied.stdout
    twice = yangfan("ingest", "apply", "3", env=initialised_env)
    assert twice.returncode == 1 and "不在待确认状态（已完成）" in twice.stderr

    shown = yangfan("ingest", "show", "1", "--format", "json", env=initialised_env)
    lineage = json.loads(shown.stdout)
    (file,) = lineage["files"]
    assert file["sha256"] == hashlib.sha256(stations.read_bytes()).hexdigest()
    assert file["size"] == stations.stat().st_size and lineage["engine"].startswith("duckdb ")
    assert lineage["status"] == "done" and lineage["rows_read"] > 0 and lineage["values"]["新增"] > 0
    table = yangfan("ingest", "show", "1", env=initialised_env)
    assert "SHA-256" in table.stdout and "基站清单" in table.stdout


def test_a_file_with_too_many_bad_rows_is_refused_with_its_rejects_file(initialised_env, tmp_path):
    bad = tmp_path / "subscribers.csv"
    bad.write_text(
        "operator,county_code,month,mobile_users_total,mobile_users_5g\n"
        "cmcc,610102,2023-01,1000,300\n"
        "cmcc,999999,2023-01,1000,300\n",
        encoding="utf-8",
    )
    refused = yangfan("ingest", "subscribers", str(bad), env=initialised_env)
    assert refused.returncode == 1
    assert "已拒绝，未写入任何数据值" in refused.stdout and "区县代码未知 1 行" in refused.stdout
    assert "超过阈值" in refused.stderr and "拒收行见" in refused.stderr
    rejects = json.loads(yangfan("ingest", "show", "1", "--format", "json", env=initialised_env).stdout)
    assert "999999" in Path(rejects["rejects_file"]).read_text(encoding="utf-8-sig")


def test_bad_ingest_commands_are_one_line(initialised_env, tmp_path):
    assert "文件不存在" in assert_one_line_error(
        yangfan("ingest", "base-stations", str(tmp_path / "none.csv"), env=initialised_env)
    )
    assert "汇总批次“7”不存在" in assert_one_line_error(yangfan("ingest", "show", "7", env=initialised_env))
    assert "--engine" in assert_one_line_error(
        yangfan("ingest", "subscribers", "x.csv", "--engine", "hadoop", env=initialised_env)
    )
    assert "2023Q9" in assert_one_line_error(
        yangfan("ingest", "subscribers", "x.csv", "--period", "2023Q9", env=initialised_env)
    )
