"""Raw operator data in the browser: the provincial office uploads a base-station inventory, the site's worker
aggregates it while the run's page shows its progress, and the page then shows the run's lineage (the README's
picture of it comes from here). A dry run: the demo data other tests read stay as they are."""

from __future__ import annotations

import csv
import hashlib
import random

import pytest
from playwright.sync_api import expect

from yangfan.pipeline.contracts import KINDS

pytestmark = pytest.mark.browser

XIAN_COUNTIES = ["610102", "610103", "610104", "610111", "610112", "610113", "610114", "610115", "610116"]
OPERATORS = ["cmcc", "ctcc", "cucc", "cbn"]


def _inventory(path) -> bytes:
    """Two hundred stations of 西安's districts, some shared (共建共享), and one row naming no known operator."""
    rng = random.Random(9)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(KINDS["base-stations"].columns)
        for number in range(200):
            operator = rng.choice(OPERATORS)
            shared = (
                {"ctcc": "cucc", "cucc": "ctcc", "cmcc": "cbn"}.get(operator, "") if number % 3 == 0 else ""
            )
            writer.writerow(
                [
                    f"XA{number:04d}",
                    operator,
                    rng.choice(["5G", "5G", "4G"]),
                    rng.choice(XIAN_COUNTIES),
                    f"{108.9 + rng.random() / 10:.5f}",
                    f"{34.2 + rng.random() / 10:.5f}",
                    f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "",
                    shared,
                ]
            )
        writer.writerow(["XA9999", "某运营商", "5G", "610102", "", "", "2023-05-01", "", ""])
    return path.read_bytes()


def test_the_office_uploads_raw_files_and_reads_the_runs_lineage(
    server, page, login, shot, server_log, tmp_path
):
    inventory = tmp_path / "jizhan-2023.csv"
    digest = hashlib.sha256(_inventory(inventory)).hexdigest()
    login("demo-province", "Bangong#5G-2023")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="原始数据").click()
    expect(page.get_by_role("heading", name="原始数据汇总")).to_be_visible()
    page.get_by_role("link", name="上传原始数据").click()
    page.get_by_label("原始数据类型").select_option("base-stations")
    page.get_by_label("数据文件").set_input_files(str(inventory))
    page.get_by_label("限定期间").fill("2023")
    page.get_by_label("拒收比例上限").fill("0.01")
    page.get_by_label("试运行").check()
    page.get_by_role("button", name="上传并汇总").click()
    expect(page.get_by_role("heading", name="汇总批次")).to_be_visible()
    # the page polls the run and reloads itself once the worker has finished it
    page.wait_for_selector("ul.stats", timeout=120_000)
    assert "已完成" in page.get_by_role("heading", level=1).inner_text(), server_log()
    expect(page.locator("table.ingest-files")).to_contain_text(digest)
    expect(page.locator("table.ingest-rejects")).to_contain_text("运营商未知")
    expect(page.locator("ul.stats")).to_contain_text("201")  # rows read
    shot("ingest-run", full_page=True)
    assert page.console_errors == [] and page.csp_violations == []
