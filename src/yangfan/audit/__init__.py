"""The audit trail: an append-only, hash-chained record of who did what, when, from where, to which object."""
