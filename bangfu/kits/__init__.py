"""The kits every context plugs into, one Django app each: `workflow` (the steps of a procedure:
home visit, 民主评议, public notice, approval by level and amount), `imports` (two-phase Excel
and CSV imports) and `exports` (files with masking by default and reveal by reason).

They sit above the kernel, accounts, network and notices (they need roles, units and notices)
and below every business context; see the import contracts in pyproject.toml.
"""
