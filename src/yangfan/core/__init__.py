"""The framework-free domain of Yangfan: plan schema, org tree, formulas.

Nothing here imports Django (an import-linter contract in pyproject.toml checks it), so the rules that
officials quote numbers from are tested in milliseconds, without a database.
"""
