"""The REST API of the ingest pipeline: the runs and their lineage (the provincial office's: ``ingest.view``), and
the source of one data value (whoever may read the value: ``data.view`` on its unit, an operator's user its own
operator's figures).

Thin on purpose: reads go through ``ingests.selectors`` and the lineage is ``ingests.exports.run_lineage``, the
same dict ``yangfan ingest show RUN --format json`` prints. Uploading raw files is the web page's or the command
line's (gigabytes do not go through a JSON API).
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from yangfan.api.permissions import Needs
from yangfan.api.serializers import DataValueSerializer
from yangfan.datavalues.models import DataValue
from yangfan.ingests.exports import run_lineage
from yangfan.ingests.models import IngestFile, IngestRun
from yangfan.ingests.selectors import run_get, run_list, value_get

# --- serializers ----------------------------------------------------------------------------------------------

KIND_HELP = "原始数据类型：base-stations、cell-traffic、iot-sims 或 subscribers"


class IngestRunSerializer(serializers.ModelSerializer):
    """One run in the list: what it read and wrote (the lineage itself is the run's own endpoint)."""

    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    operator = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="上传的运营商；省级上传时为 null"
    )
    conflicts = serializers.SerializerMethodField(help_text="与已锁定数据值的冲突个数")
    duration = serializers.FloatField(read_only=True, allow_null=True, help_text="全程用时（秒）")

    class Meta:
        model = IngestRun
        fields = [
            "id",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "engine",
            "engine_version",
            "dry_run",
            "period",
            "rows_read",
            "rows_rejected",
            "values_added",
            "values_changed",
            "values_unchanged",
            "conflicts",
            "duration",
            "actor",
            "operator",
            "needs_province",
            "created_at",
            "finished_at",
        ]

    def get_conflicts(self, run: IngestRun) -> int:
        return len(run.conflicts)


class LineageFileSerializer(serializers.Serializer):
    role = serializers.CharField(
        help_text="data（数据文件）、sites（定位小区的基站清单）或 kept（一并读取的其他运营商现行基站清单）"
    )
    name = serializers.CharField()
    path = serializers.CharField(help_text="服务器上读取的路径")
    size = serializers.IntegerField(help_text="字节")
    sha256 = serializers.CharField()
    removed = serializers.BooleanField(help_text="文件已按保留期限清理（文件名、大小和摘要仍保留）")


class ConflictSerializer(serializers.Serializer):
    data_element = serializers.CharField()
    org_unit = serializers.CharField()
    org_unit_name = serializers.CharField()
    period = serializers.CharField()
    operator = serializers.CharField(help_text="运营商代码；空为合计")
    stored = serializers.CharField(allow_null=True, help_text="已锁定的现值")
    computed = serializers.CharField(help_text="汇总得到的值")
    reason = serializers.CharField()


class IngestRunLineageSerializer(serializers.Serializer):
    """A run's lineage (``ingests.exports.run_lineage``; the same as ``yangfan ingest show RUN --format json``)."""

    run = serializers.IntegerField()
    kind = serializers.CharField()
    kind_name = serializers.CharField()
    status = serializers.CharField()
    status_name = serializers.CharField()
    dry_run = serializers.BooleanField()
    engine = serializers.CharField(help_text="引擎及其版本，如 duckdb 1.3.2")
    actor = serializers.CharField(help_text="发起人的用户名；命令行发起时为“命令行”")
    operator = serializers.CharField(allow_null=True, help_text="上传的运营商（代码）；省级上传时为 null")
    operators = serializers.ListField(child=serializers.CharField(), help_text="文件所含运营商（代码）")
    confirmed_by = serializers.CharField(allow_null=True, help_text="确认写入者；尚未确认时为 null")
    confirmed_at = serializers.CharField(allow_null=True)
    files_removed_at = serializers.CharField(allow_null=True, help_text="原始文件按保留期限清理的时间")
    created_at = serializers.CharField()
    finished_at = serializers.CharField(allow_null=True)
    seconds = serializers.DictField(child=serializers.FloatField(), help_text="各阶段用时（秒）")
    period = serializers.CharField(help_text="限定期间；空为不限")
    files = LineageFileSerializer(many=True)
    sites_run = serializers.IntegerField(allow_null=True, help_text="沿用其基站清单的汇总批次")
    rows_read = serializers.IntegerField()
    rows_rejected = serializers.IntegerField()
    rejected_by_reason = serializers.DictField(child=serializers.IntegerField(), help_text="拒收原因 → 行数")
    rows_outside = serializers.IntegerField(help_text="限定期间之外的行数")
    max_reject_rate = serializers.FloatField()
    rejects_file = serializers.CharField()
    periods = serializers.ListField(child=serializers.CharField(), help_text="写入的期间（月）")
    incomplete = serializers.DictField(
        child=serializers.CharField(), help_text="不完整而未写入的月份 → 覆盖的日期"
    )
    values = serializers.DictField(child=serializers.IntegerField(), help_text="新增、修改、未变的数据值个数")
    conflicts = ConflictSerializer(many=True)
    by_sector = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="行业 → 月份 → 5G物联网卡数（空行业名为未注明行业）",
    )
    warnings = serializers.DictField(
        help_text="共享站址提示：count、sites（站址、列出的运营商、未列出的运营商）、missing_operators"
    )
    preview = serializers.DictField(
        help_text="预览：largest（变化最大的数据值）、effects（对省和各市附件指标的影响）、largest_effect、thresholds"
    )
    message = serializers.CharField()


class ValueFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = IngestFile
        fields = ["role", "name", "size", "sha256"]


class ValueRunSerializer(serializers.ModelSerializer):
    """The run a value was computed by, as its reader may see it (the files by name and digest only)."""

    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    files = ValueFileSerializer(many=True, read_only=True)

    class Meta:
        model = IngestRun
        fields = [
            "id",
            "kind",
            "kind_label",
            "engine",
            "engine_version",
            "finished_at",
            "rows_read",
            "rows_rejected",
            "files",
        ]


class DataValueLineageSerializer(serializers.Serializer):
    value = DataValueSerializer()
    run = ValueRunSerializer(allow_null=True, help_text="写入该值的汇总批次；非原始数据汇总写入时为 null")


# --- views ----------------------------------------------------------------------------------------------------


class IngestRunListView(generics.ListAPIView):
    """The ingest runs, newest first: every one for the provincial office, its own operator's for an operator's
    user."""

    serializer_class = IngestRunSerializer
    permission_classes = [Needs]
    required_permission = "ingest.view"

    def get_queryset(self):
        return run_list(actor=self.request.user).order_by("-pk")


class IngestRunDetailView(generics.GenericAPIView):
    """One run's lineage: its files (name, path, size, SHA-256), engine and version, options, rows read and
    rejected by reason, values added, changed and unchanged, conflicts with locked values, time per stage."""

    serializer_class = IngestRunLineageSerializer
    permission_classes = [Needs]
    required_permission = "ingest.view"

    def get(self, request, pk: int):
        try:
            run = run_get(actor=request.user, pk=pk, request=request._request)
        except IngestRun.DoesNotExist:
            raise Http404(_("没有这个汇总批次。")) from None
        return Response(run_lineage(run, reader=request.user))


class DataValueLineageView(generics.GenericAPIView):
    """Where one data value came from: the value and, when the pipeline wrote it, the run (its files by name,
    size and SHA-256, the engine and its version, the rows read and rejected)."""

    serializer_class = DataValueLineageSerializer
    permission_classes = [Needs]
    required_permission = "data.view"

    @extend_schema(responses=DataValueLineageSerializer)
    def get(self, request, pk: int):
        try:
            value = value_get(actor=request.user, pk=pk, request=request._request)
        except DataValue.DoesNotExist:
            raise Http404(_("没有这个数据值。")) from None
        return Response(self.get_serializer({"value": value, "run": value.ingest_run}).data)
