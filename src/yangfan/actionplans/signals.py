"""Signals of the plan app. ``plan_loaded`` lets the apps built on the plan (the stored totals, task assignments)
follow a load inside its transaction without the plan app knowing them: they sit above it (ADR 0013)."""

from django.dispatch import Signal

# sent by ``services.plan_load`` at the end of its transaction: sender=Plan (the model), plan=the row, stats (the
# ``LoadStats``), parsed=the ``core.Plan`` loaded
plan_loaded = Signal()
