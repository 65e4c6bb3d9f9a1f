"""The plan's pages (URL namespace ``actionplans``), above the figures an indicator's page shows (ADR 0013)."""
