"""Backup and restore: one verified archive of the database, the evidence and the kept files (ADR 0020)."""
