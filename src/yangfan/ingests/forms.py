"""The upload form of an ingest, and the upload handler that stores its files as they arrive.

Raw files run to gigabytes: the handler writes each one straight into the data directory, hashing it on the way
(no second copy in the temporary directory, no second read to hash it), and names it by its SHA-256
(``ingest/uploads/<sha256>/<name>``), so the same file is stored once however often it is uploaded. The
paths it stores are what the run's lineage records, so a later cell-traffic run finds the inventory of the last
base-stations run where it was left.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yangfan.accounts.permissions import speaks_for_operator
from yangfan.actionplans.models import Operator
from yangfan.core.periods import Period, PeriodError
from yangfan.datavalues.limits import period_problem
from yangfan.ingests.choices import IngestEngine, IngestKind
from yangfan.ingests.models import IngestPolicy
from yangfan.ingests.services import ingest_folder
from yangfan.pipeline.aggregate import DEFAULT_MAX_REJECT_RATE

SUFFIXES = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet"}


def upload_folder() -> Path:
    return ingest_folder() / "uploads"


def spark_available() -> bool:
    """Whether the Spark engine can start here: PySpark installed and a Java runtime on the path."""
    return importlib.util.find_spec("pyspark") is not None and shutil.which("java") is not None


class StoredUpload(UploadedFile):
    """A file the handler has stored (``path``, ``sha256``), or refused by its suffix (``path`` is ``None``)."""

    def __init__(self, *, name: str, size: int, path: Path | None, sha256: str = ""):
        super().__init__(file=None, name=name, size=size)
        self.path = path
        self.sha256 = sha256

    def open(self, mode=None):  # nothing to reopen: the content is at ``path``
        return self


class IngestUploadHandler(FileUploadHandler):
    """Every uploaded file of the request into ``upload_folder()`` as ``<sha256>/<name>``, hashed as it is written;
    a file of another suffix is read past and not kept (the form says why)."""

    def new_file(
        self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None
    ):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.suffix = Path(file_name).suffix.lower()
        self.size = 0
        self.handle = None
        self.partial = None
        if self.suffix in SUFFIXES:
            folder = upload_folder()
            folder.mkdir(parents=True, exist_ok=True)
            descriptor, partial = tempfile.mkstemp(dir=folder, prefix=".incoming-", suffix=self.suffix)
            self.handle, self.partial = os.fdopen(descriptor, "wb"), Path(partial)
            self.digest = hashlib.sha256()

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.handle is not None:
            self.handle.write(raw_data)
            self.digest.update(raw_data)
        return None  # consumed: no other handler sees the bytes

    def file_complete(self, file_size):
        if self.handle is None:
            return StoredUpload(name=self.file_name, size=file_size, path=None)
        self.handle.close()
        sha256 = self.digest.hexdigest()
        # by content, under the name it was sent with (the lineage shows that name)
        name = get_valid_filename(Path(self.file_name).name) or f"{sha256[:12]}{self.suffix}"
        target = upload_folder() / sha256 / name
        if target.exists():  # the same content under the same name, uploaded before: keep the one file
            self.partial.unlink()
            os.utime(target)  # sent again today: its retention counts from now (``retention.ingest_purge``)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.partial, target)
        self.handle = self.partial = None
        return StoredUpload(name=self.file_name, size=file_size, path=target, sha256=sha256)

    def upload_interrupted(self):
        if getattr(self, "handle", None) is not None:
            self.handle.close()
            self.partial.unlink(missing_ok=True)
            self.handle = self.partial = None


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each checked as a ``FileField`` checks one, then by its suffix."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(SUFFIXES)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data]
        else:
            files = [single(data, initial)] if data else []
        files = [f for f in files if f]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        refused = [f.name for f in files if getattr(f, "path", None) is None]
        if refused:
            raise forms.ValidationError(
                _("不支持的文件类型：%(names)s。只接受 CSV（.csv、.txt）或 Parquet（.parquet、.pq）文件。")
                % {"names": "、".join(refused)}
            )
        if len({SUFFIXES[f.path.suffix] for f in files}) > 1:
            raise forms.ValidationError(_("同一组文件须同为 CSV 或同为 Parquet。"))
        return files


class IngestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("原始数据类型"), choices=IngestKind.choices)
    files = MultipleFileField(
        label=gettext_lazy("数据文件"),
        help_text=gettext_lazy("可选多个文件，须同为 CSV（UTF-8 或 GB18030）或同为 Parquet；列见文件约定。"),
    )
    sites = MultipleFileField(
        label=gettext_lazy("基站清单（可选；默认用最近一次汇总的基站清单）"),
        required=False,
        help_text=gettext_lazy("仅小区流量需要：按基站清单确定每个小区所在区县。"),
    )
    period = forms.CharField(
        label=gettext_lazy("限定期间"),
        required=False,
        max_length=8,
        help_text=gettext_lazy("可选，如 2023、2023Q4 或 202312；留空则写入文件覆盖的全部月份。"),
    )
    operator = forms.ModelChoiceField(
        label=gettext_lazy("运营商"),
        queryset=Operator.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("（不限：按文件各行的运营商）"),
        help_text=gettext_lazy("选定时，文件中其他运营商的行拒收；基站清单只替换文件所含运营商的清单。"),
    )
    max_reject_rate = forms.FloatField(
        label=gettext_lazy("拒收比例上限"),
        min_value=0,
        max_value=1,
        initial=DEFAULT_MAX_REJECT_RATE,
        help_text=gettext_lazy("不符合文件约定的行超过此比例（0.001 即千分之一）时，什么也不写入。"),
    )
    engine = forms.ChoiceField(label=gettext_lazy("计算引擎"), initial=IngestEngine.DUCKDB)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and speaks_for_operator(user):
            del self.fields["operator"]  # an operator's user sends its own operator's files only
        else:
            self.fields["operator"].queryset = Operator.objects.order_by("position", "code")
        engines = [(IngestEngine.DUCKDB.value, IngestEngine.DUCKDB.label)]
        if spark_available():
            engines.append((IngestEngine.SPARK.value, IngestEngine.SPARK.label))
        self.fields["engine"].choices = engines

    def clean_period(self):
        text = self.cleaned_data["period"].strip()
        if text:
            try:
                period = Period.parse(text)
            except PeriodError as exc:
                raise forms.ValidationError(str(exc)) from None
            outside = period_problem(period)
            if outside:
                raise forms.ValidationError(outside)
        return text

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sites") and cleaned.get("kind") != IngestKind.CELL_TRAFFIC:
            self.add_error("sites", _("只有小区流量需要基站清单。"))
        return cleaned


class IngestPolicyForm(forms.ModelForm):
    class Meta:
        model = IngestPolicy
        fields = ["confirm_values_changed", "confirm_indicator_change", "retention_days"]

    def clean_confirm_indicator_change(self):
        value = self.cleaned_data["confirm_indicator_change"]
        if value is not None and value < 0:
            raise forms.ValidationError(_("百分比不能为负数。"))
        return value

    def clean_retention_days(self):
        value = self.cleaned_data["retention_days"]
        if value is not None and value < 30:
            raise forms.ValidationError(_("保留天数至少 30 天。"))
        return value
