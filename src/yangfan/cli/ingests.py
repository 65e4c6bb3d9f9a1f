"""``yangfan ingest``: operators' raw files aggregated into data values; ``ingest show`` a run's lineage."""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from pathlib import Path

from yangfan.cli.base import UsageError, err, out, setup_django

INGEST_KINDS = ("base-stations", "cell-traffic", "iot-sims", "subscribers")
ON_A_RUN = ("show", "apply", "discard")  # yangfan ingest show|apply|discard RUN


def register(commands: argparse._SubParsersAction) -> None:
    ingest = commands.add_parser(
        "ingest",
        help="把运营商原始数据文件汇总为数据值（区县×月×运营商）；yangfan ingest show RUN 查看汇总批次的来源",
        description="KIND 为 base-stations（基站清单）、cell-traffic（小区流量）、iot-sims（物联网卡登记）、"
        "subscribers（用户数）；文件为 CSV（UTF-8 或 GB18030）或 Parquet。--dry-run 只预览（将新增、修改的数据值和对附件指标的影响），"
        "之后用 yangfan ingest apply RUN 确认写入（先核对文件和数据库与预览时一致）或 yangfan ingest discard RUN 放弃；"
        "yangfan ingest show RUN 显示一个汇总批次的来源；yangfan ingest purge 清理超过保留期限的原始文件。",
    )
    ingest.add_argument(
        "kind",
        metavar="KIND",
        choices=[*INGEST_KINDS, *ON_A_RUN, "purge"],
        help="原始数据类型，或 show、apply、discard、purge",
    )
    ingest.add_argument(
        "files", metavar="FILE", nargs="*", help="原始数据文件（show、apply、discard 时为汇总批次编号）"
    )
    ingest.add_argument(
        "--engine", choices=["duckdb", "spark"], default="duckdb", help="计算引擎（默认 duckdb）"
    )
    ingest.add_argument("--period", default="", help="只汇总这一期间的月份，如 2023、2023Q4、202312")
    ingest.add_argument("--sites", nargs="+", default=[], metavar="FILE", help="小区流量所用的基站清单文件")
    ingest.add_argument(
        "--dry-run", action="store_true", help="只预览，不写入（之后可用 yangfan ingest apply RUN 确认写入）"
    )
    ingest.add_argument(
        "--max-reject-rate",
        type=float,
        default=0.001,
        help="不符合约定的行超过此比例时拒绝整批（默认 0.001，即 0.1%%）",
    )
    ingest.add_argument(
        "--spark-master", default="", help="Spark 集群地址，如 spark://host:7077（默认 local[*]）"
    )
    ingest.add_argument(
        "--memory-limit",
        default="",
        help="内存上限（默认 4GB）：DuckDB 超出时写入临时文件；Spark 为本机运行时 JVM 的堆大小",
    )
    ingest.add_argument("--format", choices=["table", "json"], default="table", help="show 的输出格式")
    ingest.add_argument("--operator", default="", help="文件所属运营商（代码，如 cmcc）：其他运营商的行拒收")
    ingest.set_defaults(handler=cmd_ingest)


def cmd_ingest(args: argparse.Namespace) -> int:
    """Raw files to data values, with a progress bar; ``ingest show RUN`` prints a run's lineage."""
    if args.kind == "purge":
        return _ingest_purge(args.dry_run)
    if args.kind in ON_A_RUN:
        if len(args.files) != 1:
            raise UsageError(f"用法：yangfan ingest {args.kind} RUN（一个汇总批次编号）")
        if args.kind == "show":
            return _ingest_show(args.files[0], args.format)
        return _ingest_decide(args.kind, args.files[0])
    if not args.files:
        raise UsageError("请指定原始数据文件")
    if not 0 <= args.max_reject_rate <= 1:
        raise UsageError("--max-reject-rate 应在 0 与 1 之间")
    from yangfan.ingests.ahead import IngestRequest, ingest_ahead
    from yangfan.pipeline.aggregate import fingerprint_ahead

    request = IngestRequest(
        kind=args.kind,
        files=[Path(f) for f in args.files],
        engine=args.engine,
        period=args.period,
        sites=[Path(f) for f in args.sites],
        dry_run=args.dry_run,
        max_reject_rate=args.max_reject_rate,
        spark_master=args.spark_master,
        memory_limit=args.memory_limit,
        operator=args.operator,
    )
    # Django takes half a second to start: the files are hashed and aggregated meanwhile (ingests/ahead.py); the
    # inventory first, since the key of its kept sites is its SHA-256 (pipeline/sites.py)
    fingerprint_ahead(Path(f) for f in [*args.sites, *args.files])
    with ingest_progress() as progress:
        ahead = ingest_ahead(request, progress) if args.engine == "duckdb" else None
        if ahead is not None:
            ahead.wait_aggregating(timeout=2.0)
        try:
            setup_django()
            from yangfan.ingests.choices import IngestStatus
            from yangfan.ingests.services import ingest_create, ingest_execute
            from yangfan.pipeline.errors import PipelineError, TooManyRejects

            run = ingest_create(request=request)
        except BaseException:
            if ahead is not None:
                ahead.settle()
            raise
        try:
            ingest_execute(run=run, request=request, progress=progress, ahead=ahead)
        except TooManyRejects as exc:
            failure = f"{exc}；拒收行见 {run.rejects_file}"
        except PipelineError as exc:
            failure = f"汇总批次 #{run.pk} 失败：{exc}"
        else:
            failure = ""
    if run.status != IngestStatus.FAILED:
        _print_run(run)
    if failure:
        err.print(f"yangfan: {failure}", markup=False)
        return 1
    return 0


@contextmanager
def ingest_progress():
    """Bars for the stages of an ingest: hashing, the engine's aggregation (where it reports how far it is),
    writing values."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    labels = {"hash": "计算文件摘要", "aggregate": "汇总原始数据", "write": "写入数据值"}
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, console=out, transient=True) as bar:
        tasks: dict[str, int] = {}

        def report(stage: str, done: float, total: float) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(labels.get(stage, stage), total=None)
            bar.update(tasks[stage], completed=done, total=total or None)

        yield report


def _print_run(run) -> None:
    awaiting = run.status == "previewed"
    head = "（预览，未写入）" if awaiting else ""
    if run.status == "done":
        written = (
            f"新增 {run.values_added} 个、修改 {run.values_changed} 个、未变 {run.values_unchanged} 个数据值"
        )
    elif awaiting:
        written = (
            f"确认后将新增 {run.values_added} 个、修改 {run.values_changed} 个数据值，"
            f"{run.values_unchanged} 个不变"
        )
    else:
        written = f"{run.get_status_display()}，未写入任何数据值"
    out.print(
        f"{head}汇总批次 #{run.pk}（{run.get_kind_display()}，{run.engine} {run.engine_version}）："
        f"读取 {run.rows_read:,} 行，拒收 {run.rows_rejected:,} 行；{written}"
        f"；用时 {run.seconds.get('run', 0):.1f} 秒。",
        markup=False,
    )
    from yangfan.pipeline.definitions import REASONS

    for reason, count in sorted(run.rejected_by_reason.items()):
        out.print(f"  拒收：{REASONS.get(reason, reason)} {count:,} 行", markup=False)
    if run.rejects_file and run.rows_rejected:
        out.print(f"  拒收行见 {run.rejects_file}", markup=False)
    for month, days in sorted(run.incomplete.items()):
        out.print(f"  {month} 的数据不完整（只有 {days}），该月未写入", markup=False)
    if run.rows_outside:
        out.print(f"  {run.rows_outside:,} 行在 --period 之外，未计入", markup=False)
    _print_preview(run)
    if run.conflicts:
        out.print(
            f"  冲突 {len(run.conflicts)} 个：以下数据值已锁定，汇总结果与之不同，未覆盖：", markup=False
        )
        for c in run.conflicts[:20]:
            out.print(
                f"    {c['data_element']} {c['org_unit_name']} {c['period']} {c['operator'] or '合计'}："
                f"现值 {c['stored']}，汇总值 {c['computed']}",
                markup=False,
            )
        if len(run.conflicts) > 20:
            out.print(
                f"    ……另有 {len(run.conflicts) - 20} 个，见 yangfan ingest show {run.pk} --format json",
                markup=False,
            )


def _print_preview(run) -> None:
    """What the preview found: shared-site warnings, the indicators it moves, the largest value changes; and how
    to confirm it."""
    warnings = run.warnings or {}
    if warnings.get("count"):
        out.print(
            f"  提示：{warnings['count']} 个共享站址只有一方运营商的清单列出（仍按共享计入），如：",
            markup=False,
        )
        for w in warnings.get("sites", [])[:5]:
            out.print(f"    {w['site_id']}：{w['operator']} 列出，{w['missing']} 未列出", markup=False)
    if warnings.get("missing_operators"):
        out.print(
            f"  提示：尚无基站清单的共享运营商：{'、'.join(warnings['missing_operators'])}", markup=False
        )
    preview = run.preview or {}
    if preview.get("by_operator"):
        counted = "；".join(
            f"{code or '合计'} 新增 {c['added']}、修改 {c['changed']}"
            for code, c in preview["by_operator"].items()
        )
        out.print(f"  按运营商：{counted}", markup=False)
    _print_changes(
        "对附件指标的影响（省和各市）",
        [
            (f"{e['indicator']} {e['name']} {e['org_unit_name']} {e['period']}", e["before"], e["after"], e)
            for e in preview.get("effects", [])[:20]
        ],
    )
    _print_changes(
        "变化最大的数据值",
        [
            (
                f"{c['data_element']} {c['org_unit_name']} {c['period']} {c['operator'] or '合计'}",
                c["stored"],
                c["computed"],
                c,
            )
            for c in preview.get("largest", [])[:10]
        ],
    )
    if run.status == "previewed":
        needs = "（超过阈值，须省级确认）" if run.needs_province else ""
        out.print(
            f"  确认写入：yangfan ingest apply {run.pk}{needs}；放弃：yangfan ingest discard {run.pk}",
            markup=False,
        )


def _print_changes(title: str, rows: list[tuple]) -> None:
    """``title``, then each (what, before, after, row with its ``change_pct``) as “what：before → after（x%）”."""
    if rows:
        out.print(f"  {title}：", markup=False)
    for what, before, after, row in rows:
        change = f"{row['change_pct']}%" if row["change_pct"] else "—"
        out.print(f"    {what}：{before or '—'} → {after or '—'}（{change}）", markup=False)


def _ingest_decide(verb: str, reference: str) -> int:
    """``ingest apply RUN`` / ``ingest discard RUN`` from the server's own command line."""
    setup_django()
    from yangfan.ingests.models import IngestRun
    from yangfan.ingests.services import ingest_apply, ingest_discard
    from yangfan.pipeline.errors import PipelineError

    run = IngestRun.objects.filter(pk=int(reference)).first() if reference.isdigit() else None
    if run is None:
        raise UsageError(f"汇总批次“{reference}”不存在")
    try:
        if verb == "apply":
            with ingest_progress() as progress:
                ingest_apply(run=run, progress=progress)
        else:
            ingest_discard(run=run)
    except PipelineError as exc:
        err.print(f"yangfan: {exc}", markup=False)
        return 1
    run.refresh_from_db()
    if verb == "apply":
        _print_run(run)
    else:
        out.print(f"已放弃汇总批次 #{run.pk}，未写入任何数据。", markup=False)
    return 0


def _ingest_purge(dry_run: bool) -> int:
    """``ingest purge``: raw and rejects files past the retention period removed (audited)."""
    setup_django()
    from yangfan.ingests.retention import ingest_purge

    report = ingest_purge(dry_run=dry_run)
    out.print(str(report), markup=False)
    return 0


def _ingest_show(reference: str, output: str) -> int:
    setup_django()
    import json

    from yangfan.ingests.exports import run_lineage
    from yangfan.ingests.models import IngestRun

    if not reference.isdigit() or not IngestRun.objects.filter(pk=int(reference)).exists():
        raise UsageError(f"汇总批次“{reference}”不存在")
    run = IngestRun.objects.get(pk=int(reference))
    lineage = run_lineage(run)
    if output == "json":
        print(json.dumps(lineage, ensure_ascii=False, indent=2))
        return 0
    out.print(
        f"汇总批次 #{run.pk}：{run.get_kind_display()}（{run.kind}），{run.get_status_display()}",
        markup=False,
    )
    for label, key in (
        ("计算引擎", "engine"),
        ("发起人", "actor"),
        ("发起时间", "created_at"),
        ("用时（秒）", "seconds"),
        ("读取行数", "rows_read"),
        ("拒收行数", "rows_rejected"),
        ("写入的期间", "periods"),
        ("数据值", "values"),
        ("说明", "message"),
    ):
        value = lineage[key]
        if isinstance(value, dict):
            value = "，".join(f"{k} {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = f"{value[0]}—{value[-1]}（{len(value)} 个）" if value else "无"
        out.print(f"  {label}：{value if value not in (None, '') else '—'}", markup=False)
    out.print("  文件：", markup=False)
    for f in lineage["files"]:
        out.print(f"    [{f['role']}] {f['path']}  {f['size']:,} 字节  SHA-256 {f['sha256']}", markup=False)
    if lineage["sites_run"]:
        out.print(f"  小区按汇总批次 #{lineage['sites_run']} 的基站清单定位", markup=False)
    return 0
