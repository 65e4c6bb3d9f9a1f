"""Signals of the plan app. ``plan_loaded`` lets the apps built on the plan (task assignments) follow a load
inside its transaction without the plan app knowing them."""

from django.dispatch import Signal

# sent by ``services.plan_load`` at the end of its transaction: sender=Plan (the model), plan=the row, stats
plan_loaded = Signal()
