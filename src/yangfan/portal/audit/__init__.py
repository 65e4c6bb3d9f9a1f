"""The auditor's pages (URL namespace ``audit``), above the permission module they ask (ADR 0013)."""
