"""Writing the files: each kind's query copied to Parquet (labelled in its key-value metadata) or CSV (UTF-8, or
transcoded to GB18030) while DuckDB's progress is reported from the calling thread, and the README that labels
the directory as demo data."""

from __future__ import annotations

import codecs
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path

from yangfan.pipeline.contracts import KINDS
from yangfan.pipeline.definitions import quote
from yangfan.pipeline.generate.spec import DEMO_LABEL, Spec


@dataclass(frozen=True)
class GeneratedFile:
    """One written file: its kind (a key of ``contracts.KINDS``), where it is and how many data rows it holds."""

    kind: str
    path: Path
    rows: int


def file_write(con, query: str, path: Path, spec: Spec, moved: Callable[[float], None]) -> int:
    """``query`` written to ``path``; return its rows. GB18030 CSV is written as UTF-8 by DuckDB first, then
    transcoded in chunks (DuckDB writes UTF-8 only)."""
    if spec.file_format == "parquet":
        metadata = {
            "label": DEMO_LABEL,
            "generator": "yangfan demo raw",
            "seed": str(spec.seed),
            "scale": spec.scale,
            "year": str(spec.year),
            "fraction": repr(spec.fraction),
        }
        kv = ", ".join(f"{key}: {quote(value)}" for key, value in metadata.items())
        return _run(
            con, f"COPY ({query}) TO {quote(str(path))} (FORMAT parquet, KV_METADATA {{{kv}}})", moved
        )
    if spec.encoding == "utf-8":
        return _run(con, f"COPY ({query}) TO {quote(str(path))} (FORMAT csv, HEADER true)", moved)
    staging = path.with_name(path.name + ".utf-8.tmp")
    try:
        rows = _run(con, f"COPY ({query}) TO {quote(str(staging))} (FORMAT csv, HEADER true)", moved)
        _transcode(staging, path, spec.encoding)
    finally:
        staging.unlink(missing_ok=True)
    return rows


def _run(con, sql: str, moved: Callable[[float], None]) -> int:
    """Run one COPY in a worker thread while this thread reports DuckDB's progress through ``moved``: the
    caller's callback then runs where the caller is (a terminal bar, a job record), never in a worker."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(lambda: con.execute(sql).fetchone()[0])
        try:
            while True:
                try:
                    return int(future.result(timeout=0.25))
                except FutureTimeout:
                    try:
                        share = con.query_progress()
                    except Exception:  # the query may just have finished: progress is best effort
                        continue
                    if share is not None and share >= 0:
                        moved(min(1.0, share / 100))
        except BaseException:  # Ctrl-C or a failing callback: stop the query rather than wait for it
            con.interrupt()
            raise


def _transcode(source: Path, target: Path, encoding: str, chunk: int = 1 << 22) -> None:
    """UTF-8 ``source`` re-encoded as ``encoding`` into ``target``, a few MiB at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoder = codecs.getincrementalencoder(encoding)()
    with source.open("rb") as src, target.open("wb") as dst:
        while block := src.read(chunk):
            dst.write(encoder.encode(decoder.decode(block)))
        dst.write(encoder.encode(decoder.decode(b"", final=True), final=True))


def readme_write(directory: Path, spec: Spec, written: Sequence[GeneratedFile]) -> None:
    """README.txt: that the files are generated demo data, and how they were made (to make them again)."""
    scale = {
        "province": "province（按各单位人口，人均数据量同一个省）",
        "national": "national（省级数据量的 31 倍，仅供负载测试，非全国数据）",
    }
    width = max((len(f.path.name) for f in written), default=0)
    lines = [
        DEMO_LABEL,
        "",
        "本目录中的文件由扬帆（yangfan demo raw）按固定随机种子生成，供演示、测试和性能测量使用，",
        "不是运营商、通信管理局或统计部门的真实数据。同一种子、同一参数生成的数据相同。",
        "",
        f"种子：{spec.seed}",
        f"规模：{scale[spec.scale]}",
        f"年份：{spec.year}",
        f"比例：{spec.fraction:g}",
        f"区县数：{len(spec.counties)}",
        f"格式：{spec.file_format}" + (f"（{spec.encoding}）" if spec.file_format == "csv" else ""),
        f"小区流量：{'按小时（datetime 列）' if spec.hourly else '按日（date 列）'}"
        + ("，每月一个文件" if spec.monthly else ""),
        *(
            [
                "基站清单：按运营商分别生成（共享站址在共享各方的清单中各有一行）"
                + (f"，其中 {spec.contradictions} 个共享站址各方记录不一致" if spec.contradictions else "")
            ]
            if spec.per_operator
            else []
        ),
        "",
        "文件：",
        *(f"  {f.path.name.ljust(width)}  {KINDS[f.kind].name}  {f.rows:,} 行" for f in written),
        "",
    ]
    (directory / "README.txt").write_text("\n".join(lines), encoding="utf-8")
