"""5G应用安全 in the browser, as issue 19's “done when” reads: the provincial office registers an evaluation body;
an enterprise self-assesses one of its own applications (only its own are offered, another's is refused), answers
every question, records a finding as a high risk and submits; the province sees the risk on the security overview
and in 西安's report; the risk goes overdue and is turned from the supervision list into a 督办单; standards and
products are listed, searched, imported and counted by the API."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import uuid
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
PROVINCE = ("demo-province", "Bangong#5G-2023")
ENTERPRISE = ("demo-enterprise", "Qiye#5G-2023")
SECURITY_SECTION = "5G应用安全（扬帆监测口径）"


def _on_site(site_env, code: str):
    """Run ``code`` with Django set up on the demo site's own database (in a subprocess: the test process's Django
    is the test database's) and return what it leaves in ``out``, passed back as JSON."""
    script = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'yangfan.settings'\n"
        "import django; django.setup()\n"
        "from django.utils import timezone\n"
        f"{code}\n"
        "print('\\n' + json.dumps(out, ensure_ascii=False, default=str))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], env=site_env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _enterprise_cases(site_env) -> list[dict]:
    """The demo enterprise user's applications, as the site's database holds them: id, name, sector code and the
    enterprise's name."""
    return _on_site(
        site_env,
        "from yangfan.accounts.models import User\n"
        "from yangfan.registries.models import ApplicationCase\n"
        f"user = User.objects.get(username={ENTERPRISE[0]!r})\n"
        "out = [{'pk': c.pk, 'name': c.name, 'sector': c.sector.code, 'enterprise': c.enterprise}\n"
        "       for c in ApplicationCase.objects.filter(enterprise=user.enterprise).select_related('sector')]",
    )


def _days_pass(site_env, risk_id: int, days_overdue: int) -> str:
    """Time passes: the risk's deadline, a few days ahead when it was recorded, is ``days_overdue`` days behind the
    site's today (what a later day would see; nothing in the app moves a deadline earlier, 延期 only later).
    Returns the new deadline."""
    return _on_site(
        site_env,
        "from datetime import timedelta\n"
        "from yangfan.security.models import Risk\n"
        f"deadline = timezone.localdate() - timedelta(days={days_overdue})\n"
        f"Risk.objects.filter(pk={risk_id}).update(deadline=deadline)\n"
        "out = deadline.isoformat()",
    )


def _self_assess(page, server, case_pk: int, risk_title: str) -> int:
    """The enterprise (signed in) self-assesses its case ``case_pk``: a new assessment, every question answered
    (two 不符合, one 部分符合, one 不适用, the rest 符合), a not-met finding recorded as a high risk (5 × 4) with its
    owner, remediation and a deadline three days ahead, then submitted and scored as its answers give. Returns the
    risk's id; the page is left on the assessment's."""
    page.goto(f"{server}/security/assessments/")
    page.get_by_role("link", name="新建评估").click()
    expect(page.get_by_role("heading", name="新建安全评估")).to_be_visible()
    page.get_by_label("应用案例").select_option(str(case_pk))
    page.get_by_label("生命周期阶段").select_option(label="运行")
    page.get_by_label("评估方式").select_option(label="自评估")
    page.get_by_label("评估结论").fill("年度运行阶段安全自评估。")
    page.get_by_role("button", name="创建并答复").click()
    expect(page.locator(".messages")).to_contain_text("已创建评估，请逐项答复")

    # the answers page: every question of the published version, by area
    questions = page.locator("fieldset.question")
    count = questions.count()
    assert count >= 10
    answers = {0: "不符合", 1: "不符合", 2: "部分符合", 3: "不适用"}
    earned = applicable = Decimal(0)
    for index in range(count):
        question = questions.nth(index)
        weight = int(re.search(r"权重 (\d+)", question.locator("legend").inner_text()).group(1))
        answer = answers.get(index, "符合")
        question.get_by_label("符合情况").select_option(label=answer)
        if answer != "不适用":
            applicable += weight
            earned += {"符合": 1, "部分符合": Decimal("0.5")}.get(answer, 0) * weight
        if answer == "不符合":
            question.get_by_label("证据").fill("未部署终端异常监测。")
    finding = questions.nth(0).get_attribute("data-code")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("已保存草稿")
    expect(page.locator(f"fieldset[data-code='{finding}']").get_by_label("符合情况")).to_have_value("not_met")

    # the assessment's page: every question answered, not yet scored; the finding recorded as a risk
    page.get_by_role("heading", name=re.compile("^答复")).get_by_role("link").click()
    expect(page.locator("dd[data-status]")).to_have_attribute("data-status", "draft")
    expect(page.locator("dl.pairs")).to_contain_text(f"{count} / {count}")
    expect(page.locator("tr[data-code] td[data-answer='not_met']")).to_have_count(2)
    page.get_by_role("link", name="登记风险").click()
    option = page.locator("#id_question option", has_text=re.compile(rf"^{re.escape(finding)} "))
    page.locator("#id_question").select_option(option.get_attribute("value"))
    page.get_by_label("风险:", exact=True).fill(risk_title)
    page.get_by_label("风险描述").fill("终端离线、位置异常无人发现，可能被冒用接入生产网。")
    page.get_by_label("可能性（1–5）").select_option("5")
    page.get_by_label("影响程度（1–5）").select_option("4")
    page.get_by_label("整改责任人").fill("华山职业技术学院网络中心 王工")
    page.get_by_label("整改措施").fill("部署终端异常监测平台，接入SIM卡机卡绑定告警。")
    page.get_by_label("整改时限").fill((date.today() + timedelta(days=3)).isoformat())
    page.get_by_role("button", name="登记").click()
    expect(page.locator(".messages")).to_contain_text("已登记风险，风险等级：高。")
    expect(page.get_by_role("heading", name=risk_title)).to_be_visible()
    expect(page.locator("dd[data-level]")).to_have_attribute("data-level", "high")
    expect(page.locator("dd[data-level]")).to_contain_text("可能性 5 × 影响程度 4")
    risk_id = int(re.search(r"/risks/(\d+)/", page.url).group(1))

    # submitted: scored as the answers give, read-only
    page.locator("dl.pairs").get_by_role("link").first.click()  # 发现于评估
    page.get_by_role("button", name="提交评估").click()
    expect(page.locator(".messages")).to_contain_text("已提交评估，得分已计算。")
    score = (earned * 100 / applicable).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    expect(page.locator("dd.score")).to_have_text(str(score))
    expect(page.locator("dd[data-status]")).to_have_attribute("data-status", "submitted")
    expect(page.get_by_role("button", name="提交评估")).to_have_count(0)
    risks = page.locator("section.risks")
    expect(risks.locator(f"tr[data-risk='{risk_id}']")).to_contain_text("高")
    expect(risks.locator(f"tr[data-risk='{risk_id}']")).to_contain_text("待整改")
    return risk_id


def _report_text(path) -> tuple[list, list]:
    """The paragraphs' texts and the tables (rows of cell texts) of a Word file."""
    from docx import Document

    document = Document(str(path))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return [p.text for p in document.paragraphs], tables


def _counts(page, server) -> dict:
    """The registries' counts for the province, fetched by the page with its session (the API's JSON)."""
    body = page.evaluate(
        "url => fetch(url, {headers: {Accept: 'application/json'}}).then(r => r.json())",
        f"{server}/api/v1/registries/counts/?org=610000",
    )
    return {row["code"]: row for row in body["registries"]}


def test_the_province_registers_an_evaluation_body(server, page, login):
    name = f"秦创原5G安全评测中心{uuid.uuid4().hex[:6]}"
    login(*PROVINCE)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="应用仓库").click()
    page.get_by_role("link", name="安全评测认证机构").click()
    page.get_by_role("link", name="登记", exact=True).click()
    expect(page.get_by_role("heading", name="登记：安全评测认证机构")).to_be_visible()
    page.get_by_label("机构名称").fill(name)
    page.get_by_label("地区").select_option(label="西安市（610100）")
    page.get_by_label("5G应用安全评估").check()
    page.get_by_label("资质").fill("网络安全等级测评机构\n5G应用安全评估能力")
    page.get_by_label("联系人及电话").fill("李工 029-88886666")
    page.get_by_label("登记日期").fill("2023-03-01")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.get_by_role("heading", name=name)).to_be_visible()

    # listed, with its capability, and found by the list's filter
    page.get_by_role("link", name="安全评测认证机构").click()
    page.get_by_label("检索").fill(name)
    page.locator("select[name=does_assessment]").select_option("1")
    page.get_by_role("button", name="查找").click()
    row = page.locator("table.registry tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(0)).to_have_text(name)
    expect(row.locator("td").nth(1)).to_have_text("西安市")
    expect(row.locator("td").nth(2)).to_have_text("是")  # 安全评估
    expect(row.locator("td").nth(3)).to_have_text("否")  # 密评

    # offered for a third-party assessment
    page.goto(f"{server}/security/assessments/new/")
    expect(page.get_by_label("评估机构").locator("option", has_text=name)).to_have_count(1)
    assert page.console_errors == [] and page.csp_violations == []


def test_an_enterprise_self_assesses_its_own_application(server, site_env, page, login, shot):
    own = _enterprise_cases(site_env)
    assert len(own) == 3

    # another enterprise's application, from the province's list
    login(*PROVINCE)
    page.goto(f"{server}/registries/cases/")
    rows = page.locator("table.registry tbody tr")
    expect(rows.first).to_be_visible()
    column = page.locator("table.registry thead th").all_inner_texts().index("应用企业")
    enterprises = rows.locator(f"td:nth-child({column + 1})").all_inner_texts()
    stranger = rows.nth(next(i for i, e in enumerate(enterprises) if e != own[0]["enterprise"]))
    stranger_url = stranger.get_by_role("link").first.get_attribute("href")

    page.context.clear_cookies()
    login(*ENTERPRISE)
    # the case picker offers the enterprise's own applications, and only them
    page.goto(f"{server}/security/assessments/new/")
    offered = page.get_by_label("应用案例").locator("option:not([value=''])")
    assert sorted(int(v) for v in offered.evaluate_all("os => os.map(o => o.value)")) == sorted(
        c["pk"] for c in own
    )
    assert all(any(text.startswith(c["name"]) for c in own) for text in offered.all_inner_texts())

    case = own[0]
    title = f"终端异常监测缺失{uuid.uuid4().hex[:6]}"
    risk_id = _self_assess(page, server, case["pk"], title)
    expect(page.locator("h1")).to_contain_text(case["name"])
    expect(page.locator("dl.pairs")).to_contain_text("自评估")
    shot("security-assessment")
    # the risk register shows it to its enterprise, high and open
    page.goto(f"{server}/security/risks/?level=high&status=open")
    expect(page.locator(f"table.risks tr[data-risk='{risk_id}']")).to_contain_text(title)
    assert page.console_errors == [] and page.csp_violations == []

    # another enterprise's application is refused
    response = page.goto(server + stranger_url)
    assert response.status == 403
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()


def test_the_province_sees_the_high_risk_on_the_overview_and_in_the_report(
    server, site_env, server_log, page, login, shot, tmp_path
):
    case = _enterprise_cases(site_env)[1]
    title = f"切片隔离未验证{uuid.uuid4().hex[:6]}"
    login(*ENTERPRISE)
    risk_id = _self_assess(page, server, case["pk"], title)

    page.context.clear_cookies()
    login(*PROVINCE)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="应用安全").click()
    expect(page.get_by_role("heading", name=re.compile("^5G应用安全总览"))).to_be_visible()
    matrix = page.locator("table.high-risks")
    cell = matrix.locator(f"tr[data-sector='{case['sector']}'] td[data-city='610100']")
    assert int(cell.inner_text()) >= 1
    province_high = int(page.locator("li[data-measure=high] strong").inner_text())
    assert province_high >= 1
    shot("security-overview")

    # 西安's overview: its open high risks, the figure the report must carry
    page.get_by_label("设区市").select_option(label="西安市")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", name=re.compile("西安市"))).to_be_visible()
    xian_high = int(page.locator("li[data-measure=high] strong").inner_text())
    assert 1 <= xian_high <= province_high
    # the sector × city cell leads to the high risks it counts, this one among them
    matrix.locator(f"tr[data-sector='{case['sector']}'] td[data-city='610100'] a").click()
    expect(page.get_by_role("heading", name=re.compile("^风险台账"))).to_be_visible()
    expect(page.locator("select[name=level]")).to_have_value("high")
    expect(page.locator(f"table.risks tr[data-risk='{risk_id}']")).to_contain_text(title)

    # the risk list filtered by level: high ones only, this one among them
    page.goto(f"{server}/security/risks/")
    page.locator("select[name=level]").select_option(label="高")
    page.locator("select[name=city]").select_option(label="西安市")
    page.locator("select[name=status]").select_option(label="待整改")
    page.get_by_role("button", name="筛选").click()
    levels = page.locator("table.risks tbody tr td:nth-child(4)").all_inner_texts()
    assert levels and all(text.startswith("高") for text in levels)
    expect(page.locator(f"table.risks tr[data-risk='{risk_id}']")).to_contain_text(case["name"])

    # 西安's report for this year carries the security section with that count
    year = str(date.today().year)
    page.goto(f"{server}/reports/")
    form = page.locator("#report-form")  # the page's other form is the final evaluation's
    form.get_by_label("地区").select_option("610100")
    form.get_by_label("期间").fill(year)
    form.get_by_label("格式").select_option("docx")
    page.get_by_role("button", name="生成报告").click()
    page.wait_for_selector("section.report-ready, [role=alert]", timeout=120_000)
    assert page.locator("section.report-ready").count() == 1, server_log()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载报告").click()
    path = tmp_path / "xian.docx"
    download.value.save_as(path)
    paragraphs, tables = _report_text(path)
    start = next((i for i, p in enumerate(paragraphs) if p.endswith(SECURITY_SECTION)), None)  # （一）…
    assert start is not None, paragraphs
    section = paragraphs[start:]
    figure = next(p for p in section if p.startswith("未处置的高风险："))
    assert re.match(r"未处置的高风险：([\d,]+) 个", figure).group(1) == str(xian_high), figure
    by_sector = next(t for t in tables if t[0] == ["行业", "高风险数"])
    assert by_sector[-1] == ["合计", str(xian_high)]
    assert page.console_errors == [] and page.csp_violations == []


def test_an_overdue_risk_is_turned_into_a_notice_from_the_supervision_list(
    server, site_env, page, login, shot
):
    case = _enterprise_cases(site_env)[2]
    title = f"数据备份未演练{uuid.uuid4().hex[:6]}"
    login(*ENTERPRISE)
    risk_id = _self_assess(page, server, case["pk"], title)
    # the days pass (a browser test cannot wait for them): the deadline three days ahead is now two days behind
    deadline = _days_pass(site_env, risk_id, 2)

    page.context.clear_cookies()
    login(*PROVINCE)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="任务督导").click()
    page.get_by_role("navigation", name="任务督导").get_by_role("link", name="督导清单").click()
    expect(page.get_by_role("heading", name=re.compile("^督导清单"))).to_be_visible()
    page.get_by_role("link", name=re.compile("安全风险整改逾期")).click()
    row = page.locator(f"section.risk-alerts tr[data-risk='{risk_id}']")
    expect(row).to_contain_text(f"{title}（高）")
    page.get_by_label("责任单位").fill("西安市")  # the risks of one city
    page.get_by_role("button", name="查看").click()
    alerts = page.url
    places = page.locator("section.risk-alerts tbody tr td:nth-child(3)").all_inner_texts()
    assert places and set(places) == {"西安市"}
    expect(row).to_contain_text(case["name"])
    expect(row.locator("td:nth-child(5)")).to_have_text(deadline)  # 整改时限
    expect(row.locator("td.num")).to_have_text("2")
    row.evaluate("row => row.scrollIntoView({block: 'center'})")  # for the README's picture
    shot("security-risk-overdue")

    # 转为督办单: the notice form filled in from the risk
    row.get_by_role("link", name="转为督办单").click()
    expect(page.get_by_role("heading", name="安全风险转为督办单")).to_be_visible()
    expect(page.locator("section.notice-risk")).to_contain_text(title)
    expect(page.get_by_label("督办哪一项任务分工")).to_contain_text("T4.3.8")
    expect(page.get_by_label("标题")).to_have_value(f"关于督促整改5G应用安全风险“{title}”的督办通知")
    expect(page.get_by_label("存在问题")).to_have_value(
        re.compile(rf"“{title}”（风险等级：高）.*已逾期 2 天")
    )
    expect(page.get_by_label("督办要求")).to_have_value(re.compile("部署终端异常监测平台"))
    expect(page.get_by_label("反馈时限")).not_to_have_value("")
    page.get_by_role("button", name="签发").click()
    expect(page.locator(".messages")).to_contain_text("已将安全风险转为督办单")
    number = page.locator("dd.code").inner_text()
    link = page.locator("dd.notice-risk").get_by_role("link", name=title)
    expect(link).to_have_attribute("href", f"/security/risks/{risk_id}/")

    # the supervision list now names the notice beside the risk; the notice leads to the risk
    page.goto(alerts)
    expect(page.locator(f"section.risk-alerts tr[data-risk='{risk_id}']")).to_contain_text(number)
    page.locator(f"section.risk-alerts tr[data-risk='{risk_id}']").get_by_role("link", name=number).click()
    page.locator("dd.notice-risk").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=re.compile(re.escape(title)))).to_be_visible()
    expect(page.locator("main")).to_contain_text("逾期")
    assert page.console_errors == [] and page.csp_violations == []


def test_standards_and_products_are_searched_imported_and_counted(server, page, login, shot, tmp_path):
    import openpyxl

    tag = uuid.uuid4().hex[:6]
    serial = int(tag, 16) % 9000 + 1000
    login(*PROVINCE)
    before = _counts(page, server)

    # standards: listed and searched by code and by title
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="应用仓库").click()
    page.get_by_role("link", name="5G应用标准").click()
    rows = page.locator("table.registry tbody tr")
    expect(rows.first).to_be_visible()
    everything = rows.count()
    page.get_by_label("检索").fill("DB61/T")
    page.get_by_role("button", name="查找").click()
    codes = page.locator("table.registry tbody td:nth-child(1)").all_inner_texts()
    assert codes and len(codes) < everything and all(code.startswith("DB61/T") for code in codes)
    page.get_by_label("检索").fill("智慧医疗")
    page.get_by_role("button", name="查找").click()
    titles = page.locator("table.registry tbody td:nth-child(2)").all_inner_texts()
    assert titles and all("智慧医疗" in title for title in titles)

    # imported from a workbook written with the export's own columns
    page.get_by_label("检索").fill("")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    exported = tmp_path / "standards-export.xlsx"
    download.value.save_as(exported)
    header = [c.value for c in next(openpyxl.load_workbook(exported).active.iter_rows(max_row=1))]
    standards = [
        {
            "标准编号": f"DB61/T {serial}-2023",
            "标准名称": f"5G+智慧矿山井下通信技术规范{tag}",
            "层级": "地方标准",
            "行业": "工业互联网",
            "所处阶段": "发布",
            "立项日期": "2022-03-01",
            "发布日期": "2023-06-01",
            "地区": "610000",
        },
        {
            "标准编号": f"YD/T {serial}-2023",
            "标准名称": f"5G行业虚拟专网安全能力要求{tag}",
            "层级": "行业标准",
            "所处阶段": "实施",
            "立项日期": "2022-01-10",
            "发布日期": "2023-03-20",
            "实施日期": "2023-07-01",
            "地区": "610000",
        },
        {  # still being drafted: not counted
            "标准名称": f"5G+智慧电力配网差动保护应用指南{tag}",
            "层级": "团体标准",
            "所处阶段": "立项",
            "立项日期": "2023-05-15",
            "地区": "610100",
        },
    ]
    assert set().union(*standards) <= set(header), header
    book = openpyxl.Workbook()
    book.active.append(header)
    for entry in standards:
        book.active.append([entry.get(name) for name in header])
    upload = tmp_path / "standards.xlsx"
    book.save(upload)
    page.get_by_role("link", name="导入").click()
    expect(page.get_by_role("heading", name="导入：5G应用标准")).to_be_visible()
    page.get_by_label("文件").set_input_files(upload)
    page.get_by_role("button", name="导入").click()
    expect(page.locator(".messages")).to_contain_text("已导入：新增 3 条，更新 0 条，未变 0 条。")
    expect(page.locator("table.registry tbody tr")).to_have_count(everything + 3)
    shot("registries-standards")
    page.get_by_label("检索").fill(f"DB61/T {serial}-2023")
    page.get_by_role("button", name="查找").click()
    found = page.locator("table.registry tbody tr")
    expect(found).to_have_count(1)
    expect(found.locator("td").nth(1)).to_have_text(standards[0]["标准名称"])
    expect(found.locator("td").nth(3)).to_have_text("发布")
    page.get_by_label("检索").fill(tag)
    page.get_by_role("button", name="查找").click()
    expect(found).to_have_count(3)

    # products: searched by model number, imported from a CSV with the export's columns
    page.goto(f"{server}/registries/products/")
    page.get_by_label("检索").fill("YF-102")
    page.get_by_role("button", name="查找").click()
    expect(page.locator("table.registry tbody tr")).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    exported = tmp_path / "products-export.csv"
    download.value.save_as(exported)
    header = next(csv.reader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
    products = [
        {
            "产品类别": "5G模组",
            "产品名称": f"矿用本安型5G模组{tag}",
            "型号": f"QC-{tag}",
            "细分类别或适配场景": "防爆",
            "所处阶段": "商用",
            "研制启动日期": "2022-02-01",
            "商用日期": "2023-05-20",
            "地区": "610100",
        },
        {  # in development: not counted
            "产品类别": "5G行业终端",
            "产品名称": f"5G巡检机器人{tag}",
            "型号": f"QR-{tag}",
            "所处阶段": "研制",
            "研制启动日期": "2023-02-01",
            "地区": "610100",
        },
    ]
    assert set().union(*products) <= set(header), header
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=header)
    writer.writeheader()
    writer.writerows(products)
    upload = tmp_path / "products.csv"
    upload.write_text(text.getvalue(), encoding="utf-8")
    page.get_by_role("link", name="导入").click()
    page.get_by_label("文件").set_input_files(upload)
    page.get_by_role("button", name="导入").click()
    expect(page.locator(".messages")).to_contain_text("已导入：新增 2 条，更新 0 条，未变 0 条。")
    page.get_by_label("检索").fill(f"QC-{tag}")
    page.get_by_role("button", name="查找").click()
    expect(page.locator("table.registry tbody tr")).to_have_count(1)
    expect(page.locator("table.registry tbody tr td").nth(0)).to_have_text(products[0]["产品名称"])

    # counted: what the plan counts, a standard once published, a product once on the market
    after = _counts(page, server)
    for code in (
        "standard",
        "industry_product",
        "innovation_lead_zone",
        "bloom_cup",
        "gigabit_city",
        "common_tech_platform",
    ):
        assert isinstance(after[code]["count"], int) and after[code]["registry"], after[code]
    assert after["standard"]["registry"] == "standards"
    assert after["industry_product"]["registry"] == "products"
    grown = {code: after[code]["count"] - row["count"] for code, row in before.items()}
    assert grown.pop("standard") == 2 and grown.pop("industry_product") == 1  # the published, the commercial
    assert set(grown.values()) == {0}
    assert page.console_errors == [] and page.csp_violations == []
