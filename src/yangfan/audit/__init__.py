"""The audit trail: an append-only, hash-chained record of who did what, when, from where, to which object.

Every app writes to it, the permission module included, so it sits below them all; the auditor's pages and the
trail's admin, which ask the permission module, are in ``portal`` (ADR 0013)."""
