"""``yangfan demo raw|values``: generated demo data (raw operator files, a longer history), labelled
as such."""

from __future__ import annotations

import argparse
from pathlib import Path

from yangfan.cli.base import Parser, UsageError, out, progress_bar, setup_django
from yangfan.cli.ingests import INGEST_KINDS
from yangfan.cli.server import initialise


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="演示数据")
    demo_commands = demo.add_subparsers(dest="demo_command", metavar="子命令", parser_class=Parser)
    demo_commands.required = True
    raw = demo_commands.add_parser("raw", help="生成演示用的运营商原始数据文件（生成数据，非真实统计）")
    raw.add_argument(
        "--scale",
        choices=["province", "national"],
        default="province",
        help="范围：province 为陕西的区县（默认）；national 为全国升级方案的基本单位（另 30 个省和陕西的区县），按人口",
    )
    raw.add_argument("--year", type=int, default=2023, help="年份（默认 2023）")
    raw.add_argument("-o", "--output", required=True, help="输出目录")
    raw.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    raw.add_argument("--encoding", choices=["utf-8", "gb18030"], default="utf-8", help="CSV 的编码")
    raw.add_argument(
        "--kinds", nargs="+", choices=INGEST_KINDS, default=list(INGEST_KINDS), help="生成哪些类型"
    )
    raw.add_argument("--hourly", action="store_true", help="小区流量按小时（datetime 列）而非按天")
    raw.add_argument(
        "--monthly",
        action="store_true",
        help="小区流量每月一个文件（cell-traffic-YYYY-MM），全国规模时免得排序占用过多磁盘",
    )
    raw.add_argument("--fraction", type=float, default=1.0, help="按比例缩小数据量，如 0.01")
    raw.add_argument("--seed", type=int, default=2023)
    raw.add_argument(
        "--per-operator",
        action="store_true",
        help="基站清单按运营商分别生成（base-stations-<运营商>），共享站址在共享各方的清单中各有一行",
    )
    raw.add_argument(
        "--contradictions",
        type=int,
        default=0,
        metavar="N",
        help="与 --per-operator 同用：N 个共享站址在某一共享方的清单中记录不一致（区县或启用日期）",
    )
    raw.set_defaults(handler=cmd_demo_raw)
    history = demo_commands.add_parser(
        "values", help="把演示数据的历史扩充到 N 倍（更早的年份，生成数据，非真实统计），用于容量测试"
    )
    history.add_argument("--scale", type=int, required=True, help="倍数 N（≥1）：共 N 份四年的演示数据")
    history.set_defaults(handler=cmd_demo_values)
    national = demo_commands.add_parser(
        "national", help="为全国升级方案写入31个省的演示数据（生成数据，非真实统计）；先加载该计划"
    )
    national.add_argument(
        "--scale", type=int, default=1, help="倍数 N（≥1）：N 份演示序列，更早的年份用于容量测试"
    )
    national.set_defaults(handler=cmd_demo_national)


def cmd_demo_values(args: argparse.Namespace) -> int:
    """N× the demo's history, written through the import service like any import (labelled as demo data)."""
    if not 1 <= args.scale <= 1000:
        raise UsageError("--scale 应在 1 到 1000 之间")
    setup_django()
    from yangfan.datavalues.demo import demo_history_load

    initialise(demo=True, quiet=True)
    with progress_bar(f"正在写入 {args.scale} 倍的演示历史数据") as progress:
        added = demo_history_load(args.scale, progress)
    out.print(f"演示历史数据已写入：新增 {added:,} 个数值（生成数据，非真实统计）。")
    return 0


def cmd_demo_national(args: argparse.Namespace) -> int:
    """The national successor's demo values for the provinces, through the import service (labelled as demo)."""
    if not 1 <= args.scale <= 1000:
        raise UsageError("--scale 应在 1 到 1000 之间")
    setup_django()
    from yangfan.datavalues.demo import DemoHistoryOutOfRange
    from yangfan.datavalues.demo_national import national_values_load

    with progress_bar(f"正在写入全国演示数据（{args.scale} 倍）") as progress:
        try:
            added = national_values_load(args.scale, progress)
        except (LookupError, DemoHistoryOutOfRange) as exc:
            raise UsageError(str(exc).strip("'\"")) from None
    out.print(f"全国演示数据已写入：新增 {added:,} 个数值（生成数据，非真实统计）。")
    return 0


def cmd_demo_raw(args: argparse.Namespace) -> int:
    """Generated raw operator files for the demo, the tests and the benchmark (labelled as demo data)."""
    target = Path(args.output)
    if target.exists() and not target.is_dir():
        raise UsageError(f"“{target}”不是目录")
    if not 0 < args.fraction <= 1:
        raise UsageError("--fraction 应大于 0 且不超过 1")
    if args.contradictions < 0:
        raise UsageError("--contradictions 不能为负数")
    if args.contradictions and not args.per_operator:
        raise UsageError("--contradictions 须与 --per-operator 同用")
    if args.per_operator and "base-stations" not in args.kinds:
        raise UsageError("--per-operator 生成的是基站清单，--kinds 须包含 base-stations")
    from yangfan.datavalues.demo import county_population
    from yangfan.datavalues.demo_national import national_population
    from yangfan.pipeline.generate import raw_generate

    # national: the national plan's base units (30 provinces and Shaanxi's counties), a province's volume per resident
    counties = national_population() if args.scale == "national" else county_population()

    target.mkdir(parents=True, exist_ok=True)
    with progress_bar(f"正在生成演示原始数据（{args.scale}，{args.year} 年）") as progress:
        files = raw_generate(
            target,
            counties=counties,
            scale="province",
            year=args.year,
            seed=args.seed,
            file_format=args.format,
            kinds=args.kinds,
            hourly=args.hourly,
            monthly=args.monthly,
            fraction=args.fraction,
            encoding=args.encoding,
            progress=progress,
            per_operator=args.per_operator,
            contradictions=args.contradictions,
        )
    for f in files:
        out.print(f"  {f.path}  {f.rows:,} 行", markup=False)
    out.print(f"演示原始数据（生成，非真实统计）已写入 {target}。", markup=False)
    return 0
