"""The `yangfan` command, run as a user runs it: in a subprocess, on a scratch database."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest


def yangfan(*args: str, env: dict, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "yangfan", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def assert_one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_help_is_in_chinese(cli_env):
    result = yangfan("--help", env=cli_env)
    assert result.returncode == 0
    assert "校验或加载计划文件" in result.stdout


def test_unknown_command_gets_one_line_naming_the_commands(cli_env):
    line = assert_one_line_error(yangfan("frobnicate", env=cli_env))
    assert "未知命令“frobnicate”" in line and "init" in line and "serve" in line


def test_validate_accepts_the_bundled_plan(cli_env):
    from yangfan.core.planfile import init_plan_paths

    result = yangfan("plan", "validate", str(init_plan_paths()[0]), env=cli_env)
    assert result.returncode == 0, result.stderr
    assert "校验通过" in result.stdout and "33 项任务" in result.stdout


def test_validate_rejects_a_broken_copy_with_its_line_number(cli_env, plan_copy):
    text = plan_copy.read_text(encoding="utf-8")
    broken = text.replace(
        "responsible_units: [省工信厅, 省科技厅]", "responsible_units: [省工信厅, 省科学厅]", 1
    )
    plan_copy.write_text(broken, encoding="utf-8")
    line = next(i for i, x in enumerate(broken.splitlines(), 1) if "省科学厅" in x)

    result = yangfan("plan", "validate", str(plan_copy), env=cli_env)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{plan_copy}:{line}: tasks[3].responsible_units[1]: 未知责任单位“省科学厅”" in result.stderr
    assert "计划文件有 1 处错误" in result.stderr


def test_validate_of_a_missing_file_says_so(cli_env, tmp_path):
    result = yangfan("plan", "validate", str(tmp_path / "nope.yaml"), env=cli_env)
    assert result.returncode == 1
    assert "nope.yaml: 文件不存在" in result.stderr


def test_init_twice_duplicates_nothing_and_demo_prints_logins(demo_template, demo_env):
    """The first ``init --demo`` on an empty database is the session's demo template (``demo_template``: made
    once, for the browser tests' site too); the second runs on a copy of what it left."""
    first = demo_template[2]
    assert first.returncode == 0, first.stderr
    assert "新增 " in first.stdout and "demo-admin" in first.stdout

    second = yangfan("init", "--demo", env=demo_env)

    assert second.returncode == 0, second.stderr
    assert "新增 0，更新 0，删除 0" in second.stdout


def test_plan_load_reports_a_bad_file_before_touching_the_database(cli_env, plan_copy):
    plan_copy.write_text("plan: [unclosed\n", encoding="utf-8")
    result = yangfan("plan", "load", str(plan_copy), env=cli_env)
    assert result.returncode == 1
    assert f"{plan_copy}:2: YAML 语法错误" in result.stderr and "Traceback" not in result.stderr
    url = cli_env["YANGFAN_DATABASE_URL"]
    if url.startswith("sqlite:///"):
        assert not Path(url.removeprefix("sqlite:///")).exists()


def test_missing_database_directory_is_one_line(cli_env, tmp_path):
    cli_env["YANGFAN_DATABASE_URL"] = f"sqlite:///{tmp_path / 'missing' / 'dir' / 'db.sqlite3'}"
    line = assert_one_line_error(yangfan("init", env=cli_env))
    assert "数据库目录不存在" in line and "mkdir -p" in line


def test_unreachable_database_is_one_line(cli_env):
    cli_env["YANGFAN_DATABASE_URL"] = "postgresql://postgres@127.0.0.1:1/nothing"
    line = assert_one_line_error(yangfan("init", env=cli_env))
    assert "无法使用数据库" in line and "YANGFAN_DATABASE_URL" in line


def test_port_in_use_is_one_line(cli_env):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = assert_one_line_error(yangfan("serve", "--port", str(port), env=cli_env))
    assert f"端口 {port} 已被占用" in line and "--port" in line


@pytest.mark.parametrize("args", [["plan"], ["plan", "validate"], ["serve", "--port", "abc"]])
def test_bad_arguments_are_one_line(cli_env, args):
    line = assert_one_line_error(yangfan(*args, env=cli_env))
    assert line.startswith("yangfan: ")


def test_a_bad_option_value_names_the_option_not_a_command(cli_env):
    line = assert_one_line_error(
        yangfan("indicators", "--org", "610000", "--period", "2023", "--format", "pdf", env=cli_env)
    )
    assert "参数 --format 的取值“pdf”无效" in line and "json" in line


def test_indicators_reads_the_plan_as_loaded_not_the_bundled_file(initialised_env, plan_copy):
    import json

    cli_env = initialised_env
    text = plan_copy.read_text(encoding="utf-8")
    # B4's quote (“建设15个”) has no comparison word, so the file may read it either way; a figure or a word
    # that disagrees with its quote would be refused.
    bundled = "target: {value: 15, comparison: gte, date: 2023-12-31}"
    assert text.count(bundled) == 1
    plan_copy.write_text(
        text.replace(bundled, "target: {value: 15, comparison: gt, date: 2023-12-31}"), encoding="utf-8"
    )
    assert yangfan("plan", "load", str(plan_copy), env=cli_env).returncode == 0
    plan_copy.unlink()  # the database keeps what was loaded: the file is no longer needed

    result = yangfan("indicators", "--org", "610000", "--period", "2023", "--format", "json", env=cli_env)
    b4 = next(r for r in json.loads(result.stdout) if r["indicator"] == "B4")
    assert (b4["target"], b4["target_comparison"]) == ("15", "gt")
