"""What a file may cost to read, checked before it is read: a workbook that unpacks to far more than it weighs is
refused from its central directory (on the registries' import page, the template upload and the command line),
and an upload over ``YANGFAN_IMPORT_MAX_MB`` is stopped as it arrives, with a page naming it and the limit."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests.documents.hostile import MIB, inflated, many_parts, workbook_bytes

from yangfan.documents.limits import (
    MAX_ENTRIES,
    LimitExceeded,
    path_checked,
    size_checked,
    size_text,
    zip_checked,
)

# --- the checks themselves -------------------------------------------------------------------------------------


def test_sizes_are_written_as_people_read_them():
    assert size_text(200 * MIB) == "200 MB"
    assert size_text(MIB + MIB // 2) == "1.5 MB"
    assert size_text(900 * 1024) == "900 KB"


def test_a_file_over_the_limit_is_refused_naming_it_its_size_and_the_limit(tmp_path):
    path = tmp_path / "大文件.csv"
    path.write_bytes(b"x" * (2 * MIB))
    with pytest.raises(LimitExceeded) as caught:
        path_checked(path, limit=MIB)
    assert str(path) in str(caught.value) and "2 MB" in str(caught.value) and "1 MB" in str(caught.value)
    assert path_checked(path, limit=2 * MIB) == 2 * MIB  # at the limit: accepted
    size_checked(MIB, file="x", limit=MIB)


def test_a_workbook_that_inflates_a_thousandfold_is_refused_by_its_ratio():
    bomb = inflated(workbook_bytes(), megabytes=20)
    assert len(bomb) < 100 * 1024  # small on disk
    with pytest.raises(LimitExceeded) as caught:
        zip_checked(bomb, file="bomb.xlsx", limit=200 * MIB)
    message = str(caught.value)
    assert "bomb.xlsx" in message and "xl/media/padding.bin" in message and "压缩比超过 100:1" in message


def test_a_workbook_that_unpacks_to_more_than_the_limit_is_refused(tmp_path):
    bomb = inflated(workbook_bytes(), megabytes=3)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    with pytest.raises(LimitExceeded) as caught:
        zip_checked(path, file="bomb.xlsx", limit=2 * MIB)
    assert re.search(r"解压后有 3\.0\d MB，超过导入文件大小上限 2 MB", str(caught.value))


def test_a_package_of_too_many_parts_is_refused():
    with pytest.raises(LimitExceeded, match=f"{MAX_ENTRIES + 1} 个部件"):
        zip_checked(many_parts(MAX_ENTRIES + 1), file="parts.zip", limit=200 * MIB)
    zip_checked(many_parts(10), file="parts.zip", limit=200 * MIB)


def test_an_ordinary_workbook_and_a_file_that_is_no_zip_pass_and_the_stream_is_left_where_it_was():
    rows = [("data_element", "period", "org_unit", "value")] + [
        ("population", "2023", "610100", n) for n in range(5000)
    ]
    stream = io.BytesIO(workbook_bytes(rows))
    stream.seek(7)
    zip_checked(stream, file="ok.xlsx", limit=2 * MIB)
    assert stream.tell() == 7
    zip_checked(b"not a zip at all", file="fake.xlsx", limit=MIB)  # the parser says what it is not


def test_what_the_directory_declares_bounds_what_zipfile_inflates():
    """The check trusts the declared sizes because zipfile never inflates more than them: a part that lies
    about its size fails when read, it does not grow."""
    honest = inflated(workbook_bytes(), megabytes=2)
    package = zipfile.ZipFile(io.BytesIO(honest))
    info = package.getinfo("xl/media/padding.bin")
    info.file_size = 1024  # the directory now claims 1 KB for 2 MB of zeros
    with pytest.raises(zipfile.BadZipFile), package.open(info) as part:
        part.read()


def test_the_limit_is_set_in_megabytes_and_a_bad_setting_is_named(monkeypatch):
    from yangfan.config import ConfigError, import_max_bytes

    monkeypatch.delenv("YANGFAN_IMPORT_MAX_MB", raising=False)
    assert import_max_bytes() == 200 * MIB
    monkeypatch.setenv("YANGFAN_IMPORT_MAX_MB", "50")
    assert import_max_bytes() == 50 * MIB
    for wrong in ("0", "-1", "lots", "1.5"):
        monkeypatch.setenv("YANGFAN_IMPORT_MAX_MB", wrong)
        with pytest.raises(ConfigError, match=f"YANGFAN_IMPORT_MAX_MB 应为正整数.*{wrong}"):
            import_max_bytes()


# --- where files come in ---------------------------------------------------------------------------------------


@pytest.fixture
def no_parsing(monkeypatch):
    """openpyxl must not be reached: the refusal comes from the central directory."""

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_a_zip_bomb_is_refused_on_the_registry_import_page_before_parsing(client_for, no_parsing):
    from yangfan.registries.models import ApplicationCase

    client = client_for("province")
    bomb = inflated(workbook_bytes([("名称", "地区")]), megabytes=20)
    response = client.post(
        reverse("registries:import", kwargs={"slug": "cases"}),
        {"file": SimpleUploadedFile("案例.xlsx", bomb)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "案例.xlsx" in page and "压缩比超过 100:1" in page
    assert not ApplicationCase.objects.exists()


def test_a_zip_bomb_is_refused_on_the_template_upload_before_parsing(client_for, no_parsing):
    from yangfan.datavalues.models import DataValue

    client = client_for("city-reporter")
    url = reverse(
        "collection:upload", kwargs={"data_set": "city-quarterly", "org": "610100", "period": "2023Q4"}
    )
    response = client.post(
        url, {"file": SimpleUploadedFile("模板.xlsx", inflated(workbook_bytes(), megabytes=20))}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "模板有 1 处错误" in page and "压缩比超过 100:1" in page
    assert not DataValue.objects.exists()


def test_an_upload_over_the_limit_is_stopped_with_a_page_naming_it_and_the_limit(client_for, settings):
    from yangfan.registries.models import Supplier

    settings.YANGFAN_IMPORT_MAX_BYTES = MIB
    client = client_for("province")
    big = SimpleUploadedFile("供应商.csv", b"\xe4\xbc\x81" * MIB)  # 3 MB of text
    response = client.post(reverse("registries:import", kwargs={"slug": "suppliers"}), {"file": big})
    assert response.status_code == 413
    page = response.content.decode()
    assert "供应商.csv" in page and "上传大小上限 1 MB" in page
    assert not Supplier.objects.exists()
    # under the limit the same page imports as ever
    small = SimpleUploadedFile("供应商.csv", "企业名称,统一社会信用代码,地区\n".encode())
    response = client.post(reverse("registries:import", kwargs={"slug": "suppliers"}), {"file": small})
    assert response.status_code == 400 and "文件没有数据行" in response.content.decode()


def test_an_upload_over_the_limit_is_stopped_when_the_csrf_check_reads_the_body(make_user, settings):
    settings.YANGFAN_IMPORT_MAX_BYTES = MIB
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("province"))
    url = reverse("registries:import", kwargs={"slug": "suppliers"})
    assert (
        client.get(url).status_code == 200
    )  # the CSRF cookie: the check then looks for the token in the body
    response = client.post(url, {"file": SimpleUploadedFile("供应商.csv", b"x" * (2 * MIB))})
    assert response.status_code == 413 and "供应商.csv" in response.content.decode()


def test_an_api_upload_over_the_limit_is_answered_in_json(client_for, settings):
    settings.YANGFAN_IMPORT_MAX_BYTES = MIB
    client = client_for("province")
    response = client.post(
        reverse("api:datavalues"), {"file": SimpleUploadedFile("values.csv", b"x" * (2 * MIB))}
    )
    assert response.status_code == 413
    assert "values.csv" in response.json()["detail"] and "1 MB" in response.json()["detail"]


def test_an_api_body_over_the_limit_is_refused_by_its_declared_length(client_for, settings):
    from yangfan.datavalues.models import DataValue

    settings.YANGFAN_IMPORT_MAX_BYTES = MIB
    client = client_for("province")
    entry = '{"data_element": "population", "period": "2023", "org_unit": "610100", "value": "1"}'
    body = "[" + ", ".join([entry] * 20_000) + "]"  # ~1.6 MB of JSON
    response = client.post(reverse("api:datavalues"), body, content_type="application/json")
    assert response.status_code == 413 and "超过上限 1 MB" in response.json()["detail"]
    assert not DataValue.objects.exists()
