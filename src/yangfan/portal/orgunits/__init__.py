"""The org tree's pages (URL namespace ``orgunits``), above the permission module and the figures (ADR 0013)."""
