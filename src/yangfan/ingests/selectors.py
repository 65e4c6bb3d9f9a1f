"""Reading ingest runs and a value's lineage, within the reader's rights."""

from __future__ import annotations

from django.db.models import QuerySet

from yangfan.accounts.permissions import deny, require, restrict, sees_operator
from yangfan.datavalues.models import DataValue
from yangfan.ingests.models import IngestRun


def run_list(*, actor) -> QuerySet[IngestRun]:
    """The runs ``actor`` may read: every one for the provincial office (and the command line), an operator's
    own for its users, none for anyone else."""
    runs = IngestRun.objects.select_related("actor", "sites_run", "operator").prefetch_related("files")
    return runs if actor is None else restrict(runs, actor, "ingest.view")


def run_get(*, actor, pk: int, request=None) -> IngestRun:
    """One run, if ``actor`` may read it (refused and audited when it is another operator's)."""
    if actor is not None:
        require(actor, "ingest.view", request=request)
    run = (
        IngestRun.objects.select_related("actor", "sites_run", "operator")
        .prefetch_related("files")
        .get(pk=pk)
    )
    if actor is not None:
        require(actor, "ingest.view", run, request=request)
    return run


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
