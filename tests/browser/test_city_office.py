"""A city's leading-group office at work in the browser, as issue 18's “done when” reads: 西安's office sets a
county's target, splits the city's share of a task among its counties, issues a 督办单 to 雁塔区 that 雁塔区
signs for and answers, sees the notice turn yellow and (a deadline later) red, publishes its county ranking,
records a qualitative goal's verdict with evidence and downloads 西安's report, which carries it; the provincial
office sees the city's notice and ranking."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
PLAN = "shaanxi-5g-2021-2023"
OFFICE = ("demo-xian-office", "Yanta#5G-2023")
YANTA = ("demo-yanta", "Dayanta#5G-2023")


def _days_pass(site_env, notice_number: str, deadline: date) -> None:
    """Time passes: the notice's deadline moves to ``deadline`` in the site's database (what a later day would see)."""
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'yangfan.settings'; django.setup()\n"
        "from yangfan.supervision.models import SupervisionNotice\n"
        f"n = [x for x in SupervisionNotice.objects.all() if x.number == {notice_number!r}][0]\n"
        f"SupervisionNotice.objects.filter(pk=n.pk).update(deadline=date.fromisoformat({deadline.isoformat()!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", f"from datetime import date\n{script}"],
        env=site_env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_a_city_office_supervises_its_counties(server, site_env, server_log, page, login, shot, tmp_path):
    from docx import Document

    login(*OFFICE)

    # 1. a county's target, within the province's
    page.goto(f"{server}/plans/{PLAN}/indicators/A1/targets/")
    page.get_by_label("地区").select_option("610113")
    page.get_by_label("目标日期").fill("2023-12-31")
    page.get_by_label("比较").select_option("gt")
    page.get_by_label("目标值").fill("45")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("table").first).to_contain_text("雁塔区")

    # 2. the matrix starts at 西安's cascade; the city's share of T3.1.1 is split among two districts
    page.goto(f"{server}/supervision/{PLAN}/matrix/?period=2023Q4")
    expect(page.get_by_label("范围")).to_have_value("610100")
    expect(page.locator("table.matrix thead")).to_contain_text("雁塔区")  # the demo's split of T2.1.1
    page.goto(f"{server}/supervision/{PLAN}/tasks/T3.1.1/")
    page.locator("table").get_by_role("link", name="西安市人民政府").first.click()
    split = page.locator("form.split-form")
    split.get_by_label("雁塔区").check()
    split.get_by_label("未央区").check()
    split.get_by_label("市级部门（每行一个）").fill("西安市数据局")
    split.get_by_role("button", name="分解任务").click()
    expect(page.locator(".messages")).to_contain_text("已分解给 3 个单位")
    parts = page.locator("table.parts")
    expect(parts).to_contain_text("雁塔区人民政府")
    expect(parts).to_contain_text("西安市数据局")
    shot("city-office-split")

    # 3. a notice to 雁塔区's part, due in two working days: yellow
    parts.get_by_role("link", name="雁塔区人民政府").click()
    page.get_by_role("link", name="下发督办单").click()
    expect(page.get_by_label("标题")).not_to_have_value("")
    page.get_by_label("存在问题").fill("区级工作方案尚未印发。")
    deadline = date.today() + timedelta(days=2)
    page.get_by_label("反馈时限").fill(deadline.isoformat())
    page.get_by_role("button", name="签发").click()
    expect(page.locator(".messages")).to_contain_text("已下发督办单 西安5G督〔")
    number = page.locator("dd.code").inner_text()
    notice_url = page.url
    expect(page.locator(".notice-doc [data-light]")).to_have_attribute("data-light", "yellow")

    # 4. 雁塔区 finds it in its inbox, signs for it and answers
    page.context.clear_cookies()
    login(*YANTA)
    page.goto(f"{server}/inbox/")
    expect(page.locator("main")).to_contain_text(number)
    page.goto(notice_url)
    page.locator("form.sign-form").get_by_role("button", name="签收").click()
    expect(page.locator(".messages")).to_contain_text("已签收")
    expect(page.locator("dd.signed")).to_contain_text("demo-yanta")
    assert page.locator("form.sign-form").count() == 0  # signed once
    page.get_by_label("反馈内容").fill("已起草区级方案，报区政府常务会审议。")
    page.get_by_role("button", name="提交反馈").click()
    expect(page.locator(".messages")).to_contain_text("已提交反馈")

    # 5. a second notice that nobody answers turns red once its deadline has passed
    page.context.clear_cookies()
    login(*OFFICE)
    page.goto(f"{server}/supervision/notices/new/")
    share = page.locator("#share option", has_text="未央区人民政府").first.get_attribute("value")
    page.get_by_label("督办哪一项任务分工").select_option(share)
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("存在问题").fill("未报送进展。")
    page.get_by_label("反馈时限").fill((date.today() + timedelta(days=20)).isoformat())
    page.get_by_role("button", name="签发").click()
    second = page.locator("dd.code").inner_text()
    expect(page.locator(".notice-doc [data-light]")).to_have_attribute("data-light", "green")
    _days_pass(site_env, second, date.today() - timedelta(days=1))
    page.reload()
    expect(page.locator(".notice-doc [data-light]")).to_have_attribute("data-light", "red")
    page.goto(f"{server}/supervision/notices/?light=red")
    expect(page.locator("table.notices")).to_contain_text(second)
    shot("city-office-notices")

    # 6. the county ranking, published
    page.goto(f"{server}/supervision/{PLAN}/evaluation/?period=2023Q4")
    expect(page.get_by_label("范围")).to_have_value("610100")
    page.get_by_role("button", name="发布排名").click()
    expect(page.locator(".messages")).to_contain_text("已发布 2023Q4 评估排名")
    expect(page.locator("section.published")).to_contain_text("雁塔区")

    # 7. a qualitative goal judged with evidence, published
    page.goto(f"{server}/goals/{PLAN}/Q01/610100/2023/")
    page.get_by_label("基本实现").check()
    page.get_by_label("判断理由").fill("全市5G网络建设按年度计划推进，重点区域已覆盖。")
    page.get_by_label("相关任务").select_option(index=0)
    page.get_by_label("佐证文件").fill("西安市5G网络建设年度总结")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("button", name="发布评估结论").click()
    expect(page.locator(".messages")).to_contain_text("评估结论已发布")

    # 8. 西安's report carries the verdict and its evidence
    page.goto(f"{server}/reports/?period=2023")
    form = page.locator("#report-form")  # the page's other form is the final evaluation's
    form.get_by_label("地区").select_option("610100")
    form.get_by_label("期间").fill("2023")
    page.get_by_role("button", name="生成报告").click()
    page.wait_for_selector("section.report-ready, [role=alert]", timeout=120_000)
    assert page.locator("section.report-ready").count() == 1, server_log()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载报告").click()
    path = tmp_path / "xian.docx"
    download.value.save_as(path)
    document = Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "定性目标评估情况" in text
    assert (
        "基本实现" in text and "全市5G网络建设按年度计划推进" in text and "西安市5G网络建设年度总结" in text
    )

    # 9. the province sees the city's notices and its ranking
    page.context.clear_cookies()
    login("demo-province", "Bangong#5G-2023")
    page.goto(f"{server}/supervision/notices/")
    expect(page.locator("table.notices")).to_contain_text(number)
    expect(page.locator("table.notices")).to_contain_text("西安市5G应用推广领导小组办公室")
    page.goto(f"{server}/supervision/{PLAN}/evaluation/?period=2023Q4&city=610100")
    expect(page.locator("section.published")).to_contain_text("雁塔区")
    page.goto(f"{server}/supervision/{PLAN}/matrix/?period=2023Q4&city=610100")
    expect(page.locator("table.matrix thead")).to_contain_text("西安市数据局")
    assert not page.console_errors, page.console_errors
