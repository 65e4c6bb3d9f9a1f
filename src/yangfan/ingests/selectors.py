"""Reading ingest runs and a value's lineage, within the reader's rights."""

from __future__ import annotations

from django.db.models import QuerySet

from yangfan.accounts.permissions import deny, may, require, sees_operator
from yangfan.datavalues.models import DataValue
from yangfan.ingests.models import IngestRun


def run_list(*, actor) -> QuerySet[IngestRun]:
    """Every run for those who may read runs (their files hold every county's rows), none for anyone else."""
    if actor is not None and not may(actor, "ingest.view"):
        return IngestRun.objects.none()
    return IngestRun.objects.select_related("actor", "sites_run").prefetch_related("files")


def run_get(*, actor, pk: int, request=None) -> IngestRun:
    if actor is not None:
        require(actor, "ingest.view", request=request)
    return run_list(actor=actor).get(pk=pk)


def value_get(*, actor, pk: int, request=None) -> DataValue:
    """One data value with what it was computed from, if the reader may see the value's unit's figures."""
    value = DataValue.objects.select_related(
        "data_element", "org_unit", "operator", "updated_by", "ingest_run"
    ).get(pk=pk)
    if actor is not None:
        require(actor, "data.view", value.org_unit, request=request)
    if actor is not None and not sees_operator(actor, value.operator_id):
        deny(actor, "data.view", value, request=request)  # another operator's figure: refused and audited
    return value
