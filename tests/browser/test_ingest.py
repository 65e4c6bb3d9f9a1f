"""Raw operator data in the browser (issue 20, ADR 0016): every upload runs in the site's worker to a preview that
writes nothing until someone confirms it.

- The provincial office uploads the four operators' base-station inventories of 西安's districts, one file each,
  reads the preview (the annex indicators it would move, the largest changes, the rejected rows, the shared-site
  warnings, the files' SHA-256) and discards it: the demo data other tests read stay as they are.
- 中国移动's reporter uploads its own inventory, for the first quarter of 2020 (the baseline year, months before the
  demo's first one, 2020-12, so that no other test's figure moves), confirms its preview, sees only its own operator's runs and finds its run under 原始数据报送.
- 中国移动's reporter sends a file with a row of 中国电信: with no rejects tolerated, the run is refused.

Each test signs in itself; they share the session's demo site (the README's pictures of a preview and of a run
come from here).
"""

from __future__ import annotations

import csv
import hashlib
import random
import re

import pytest
from playwright.sync_api import expect

from yangfan.pipeline.contracts import KINDS

pytestmark = pytest.mark.browser

PROVINCE = ("demo-province", "Bangong#5G-2023")
CMCC = ("demo-cmcc", "Yidong#5G-2023")
XIAN_COUNTIES = ["610102", "610103", "610104", "610111", "610112", "610113", "610114", "610115", "610116"]
OPERATORS = ("cmcc", "ctcc", "cucc", "cbn")
# who builds a site (the shares of the demo's stations) and whom it is shared with under 共建共享: 电信 and 联通
# share most of their 5G sites with each other, 中国移动 some with 中国广电 (700 MHz), 广电 most of its few with 移动
OWNERS = {"cmcc": 46, "ctcc": 25, "cucc": 23, "cbn": 6}
PARTNERS = {"ctcc": ("cucc", 0.7), "cucc": ("ctcc", 0.7), "cmcc": ("cbn", 0.3), "cbn": ("cmcc", 0.8)}
UNLISTED_SITE = "XA-T0900"
DISAGREEING_SITE = "XA-T0901"
OFFICE_RUNS: list[int] = []  # the office's runs made in this session, which an operator must not reach


def _inventory(path, *, operators=OPERATORS, year: int = 2023, extra=()) -> bytes:
    """The base-station inventories of ``operators`` for 西安's districts as they send them, in one file (each
    operator's rows together; one file per operator is how they arrive), and the ``extra`` rows.

    The physical sites are the same whichever operators are asked for (seeded): an operator's file is its share of
    them. A site is built by one operator and, under 共建共享, often shared: it is then in each sharing operator's
    inventory under the same 站址编码 (``site_id``), each row naming the others in ``shared_with`` and agreeing on
    county, RAT and dates, the coordinates as each operator surveyed them (a few metres apart, within the 0.001°
    the contract allows). Stations are commissioned in ``year``; a few 4G ones are withdrawn later that year. Two
    sites a checker has to notice: 电信 names 联通 on a site 联通's inventory lacks (a warning, when 联通's inventory
    is read too), and 移动 and 广电 put one shared site in different districts (both rows rejected)."""
    rng = random.Random(9)
    rows: dict[str, list[list[str]]] = {operator: [] for operator in OPERATORS}
    for number in range(150):
        owner = rng.choices(list(OWNERS), weights=list(OWNERS.values()))[0]
        partner, share = PARTNERS[owner]
        on_site = (owner, partner) if rng.random() < share else (owner,)
        rat = rng.choice(["5G", "5G", "5G", "4G"])
        month = rng.randint(1, 12)
        commissioned = f"{year}-{month:02d}-{rng.randint(1, 28):02d}"
        withdrawn = f"{year}-{rng.randint(month, 12):02d}-28" if rat == "4G" and rng.random() < 0.2 else ""
        county = rng.choice(XIAN_COUNTIES)
        longitude, latitude = 108.85 + rng.random() / 5, 34.15 + rng.random() / 5
        for operator in on_site:
            rows[operator].append(
                [
                    f"XA-T{number:04d}",
                    operator,
                    rat,
                    county,
                    f"{longitude + rng.uniform(-0.0003, 0.0003):.5f}",
                    f"{latitude + rng.uniform(-0.0003, 0.0003):.5f}",
                    commissioned,
                    withdrawn,
                    "/".join(o for o in on_site if o != operator),
                ]
            )
    rows["ctcc"].append(
        [UNLISTED_SITE, "ctcc", "5G", "610113", "108.95012", "34.26011", f"{year}-06-15", "", "cucc"]
    )
    for operator, county in (("cmcc", "610102"), ("cbn", "610104")):
        rows[operator].append(
            [
                DISAGREEING_SITE,
                operator,
                "5G",
                county,
                "108.94000",
                "34.25000",
                f"{year}-03-10",
                "",
                PARTNERS[operator][0],
            ]
        )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(KINDS["base-stations"].columns)
        for operator in operators:
            writer.writerows(rows[operator])
        writer.writerows(extra)
    return path.read_bytes()


def _rows(content: bytes) -> int:
    """The data rows of a CSV file (its header left out)."""
    return len(content.decode("utf-8").splitlines()) - 1


def _open_upload(page) -> None:
    """原始数据 › 上传原始数据, from the main navigation."""
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="原始数据").click()
    expect(page.get_by_role("heading", name="原始数据汇总")).to_be_visible()
    page.get_by_role("link", name="上传原始数据").click()
    expect(page.get_by_role("heading", name="上传原始数据")).to_be_visible()
    expect(page.get_by_label("试运行")).to_have_count(0)  # every upload is previewed


def _upload(page, files, *, period: str, max_reject_rate: str | None = None) -> int:
    """Send ``files`` as base-station inventories from the upload form; returns the new run's number, on its
    page."""
    page.get_by_label("原始数据类型").select_option("base-stations")
    page.get_by_label("数据文件").set_input_files([str(f) for f in files])
    page.get_by_label("限定期间").fill(period)
    if max_reject_rate is not None:
        page.get_by_label("拒收比例上限").fill(max_reject_rate)
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url(re.compile(r"/ingest/runs/\d+/$"))
    return int(re.search(r"/runs/(\d+)/$", page.url).group(1))


def _settled(page, server_log, status: str) -> None:
    """Wait while the run's page shows the worker's progress (it polls, then reloads itself), then check the run's
    status."""
    settled = page.locator("body:not(:has(#job-progress)) h1 .status")
    try:
        settled.wait_for(timeout=180_000)
    except Exception:  # Playwright's timeout: say what the worker did
        pytest.fail(f"the run's page still shows its progress after 3 minutes\n{server_log()}")
    found = settled.inner_text()
    message = page.locator("div.error[role=alert]")
    detail = message.inner_text() if message.count() else ""
    assert found == status, f"status {found}, expected {status}: {detail}\n{server_log()}"


def test_the_office_previews_the_operators_inventories_and_discards_the_preview(
    server, page, login, shot, server_log, tmp_path
):
    files, digests, rows = [], [], 0
    for operator in OPERATORS:
        # 广电's file names the operator of one row in a way the contract does not know
        unknown = (
            [["XA-T9999", "广电网络", "5G", "610102", "", "", "2023-05-01", "", ""]]
            if operator == "cbn"
            else []
        )
        inventory = tmp_path / f"jizhan-{operator}-2023.csv"
        content = _inventory(inventory, operators=(operator,), year=2023, extra=unknown)
        files.append(inventory)
        digests.append(hashlib.sha256(content).hexdigest())
        rows += _rows(content)
    login(*PROVINCE)
    _open_upload(page)
    # the province may upload for one operator; these files hold every operator's inventory
    expect(page.get_by_label("运营商", exact=True)).to_have_value("")
    run = _upload(page, files, period="2023", max_reject_rate="0.05")
    OFFICE_RUNS.append(run)
    _settled(page, server_log, "待确认")

    decision = page.locator("section#preview-decision")
    expect(decision).to_contain_text("预览：尚未写入任何数据")
    expect(decision.get_by_role("button", name="确认写入")).to_be_visible()
    expect(decision.get_by_role("button", name="放弃")).to_be_visible()
    expect(page.locator("dd.run-operators")).to_have_text("中国广电、中国移动、中国电信、中国联通")  # by code
    for digest in digests:
        expect(page.locator("table.ingest-files")).to_contain_text(digest)
    expect(page.locator("ul.stats")).to_contain_text(f"读取行数{rows}")
    rejects = page.locator("table.ingest-rejects")
    expect(rejects.locator("tr", has_text="运营商未知").locator("td.num")).to_have_text("1")
    expect(rejects.locator("tr", has_text="共享站址各运营商的记录不一致").locator("td.num")).to_have_text("2")
    expect(page.locator("table.ingest-warnings tr", has_text=UNLISTED_SITE)).to_contain_text("中国联通")
    # what applying would do to the annex indicators, by the dashboard's engine: 5G stations per 10,000 people.
    # The four inventories are all the province's stations now, so every county outside 西安 falls to 0: the
    # change is beyond the office's threshold, which the province itself may confirm.
    effects = page.locator("table.ingest-effects")
    expect(effects.locator("tr", has_text="每万人拥有5G基站数").filter(has_text="陕西省")).to_have_count(1)
    expect(effects.locator("tr", has_text="每万人拥有5G基站数").filter(has_text="西安市")).to_have_count(1)
    expect(decision.get_by_role("note")).to_contain_text("须由省级确认")
    expect(page.locator("table.ingest-largest tbody tr").first).to_contain_text("base_stations_5g")
    shot("ingest-preview", full_page=True)

    decision.get_by_role("button", name="放弃").click()
    expect(page.get_by_text(f"已放弃汇总批次 #{run}，未写入任何数据。")).to_be_visible()
    assert page.locator("h1 .status").inner_text() == "已放弃"
    expect(page.locator("section#preview-decision")).to_have_count(0)
    assert page.console_errors == [] and page.csp_violations == []


def test_an_operator_confirms_its_own_inventory_and_sees_only_its_runs(
    server, page, login, shot, server_log, tmp_path
):
    inventory = tmp_path / "jizhan-cmcc-2020.csv"
    content = _inventory(inventory, operators=("cmcc",), year=2020)
    digest = hashlib.sha256(content).hexdigest()
    login(*CMCC)
    _open_upload(page)
    expect(page.get_by_label("运营商", exact=True)).to_have_count(0)  # its own operator's files only
    run = _upload(page, [inventory], period="2020Q1")
    _settled(page, server_log, "待确认")

    decision = page.locator("section#preview-decision")
    expect(decision).to_contain_text("预览：尚未写入任何数据")
    expect(decision).not_to_contain_text("须由省级确认")
    # and whose else it writes: how many values of each operator
    expect(decision.locator("p.preview-by-operator")).to_contain_text("中国移动 新增")
    expect(page.locator("dl.ingest-summary")).to_contain_text("中国移动")
    expect(page.locator("dd.run-operators")).to_have_text("中国移动")
    expect(page.locator("table.ingest-files")).to_contain_text(digest)
    expect(page.locator("ul.stats")).to_contain_text(f"读取行数{_rows(content)}")
    expect(page.locator("table.ingest-rejects")).to_have_count(0)
    # the stock is computed at the end of each month of the period asked for
    expect(page.get_by_text("写入的期间：202001—202003（3 个月）")).to_be_visible()

    decision.get_by_role("button", name="确认写入").click()
    expect(page.get_by_text(f"已确认，正在后台写入汇总批次 #{run} 的数据值。")).to_be_visible()
    _settled(page, server_log, "已完成")
    expect(page.locator("section#preview-decision")).to_have_count(0)
    expect(page.locator("dl.ingest-summary")).to_contain_text("中国移动填报员（演示）")  # who confirmed it
    expect(page.locator("dd.run-operators")).to_have_text("中国移动")
    shot("ingest-run", full_page=True)

    # its runs only: every run listed is 中国移动's, the office's are not among them and not to be opened
    page.get_by_role("link", name="原始数据汇总").click()
    runs = page.locator("table.ingest-runs tbody tr")
    expect(page.locator(f'table.ingest-runs tr[data-run="{run}"]')).to_contain_text("已完成")
    for index in range(runs.count()):
        expect(runs.nth(index)).to_contain_text("中国移动")
    for office_run in OFFICE_RUNS:
        expect(page.locator(f'table.ingest-runs tr[data-run="{office_run}"]')).to_have_count(0)
        assert page.request.get(f"{server}/ingest/runs/{office_run}/").status in (403, 404)

    # 报送情况 › 原始数据报送: its current inventory is this run's, and no other operator's row is shown
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="数据填报").click()
    page.get_by_role("link", name="报送情况").first.click()
    deliveries = page.locator("section#raw-deliveries")
    expect(deliveries).to_contain_text("原始数据报送")
    current = deliveries.locator('table.raw-stocks tr[data-operator="cmcc"][data-kind="base-stations"]')
    expect(current.get_by_role("link", name=f"#{run}")).to_be_visible()
    expect(deliveries.locator("tr[data-operator]:not([data-operator='cmcc'])")).to_have_count(0)
    assert page.console_errors == [] and page.csp_violations == []


def test_an_operators_file_with_another_operators_row_is_refused(server, page, login, server_log, tmp_path):
    inventory = tmp_path / "jizhan-cmcc-2020-mixed.csv"
    other = ["XA-T8000", "ctcc", "5G", "610103", "108.93000", "34.27000", "2020-02-01", "", ""]
    _inventory(inventory, operators=("cmcc",), year=2020, extra=[other])
    login(*CMCC)
    _open_upload(page)
    _upload(page, [inventory], period="2020Q1", max_reject_rate="0")
    _settled(page, server_log, "已拒绝")
    expect(page.locator("div.error[role=alert]")).to_contain_text("文件中有 1 行不属于中国移动")
    foreign = page.locator("table.ingest-rejects tr", has_text="不属于本运营商的数据")
    expect(foreign.locator("td.num")).to_have_text("1")
    expect(page.locator("section#preview-decision")).to_have_count(0)
    assert page.console_errors == [] and page.csp_violations == []
