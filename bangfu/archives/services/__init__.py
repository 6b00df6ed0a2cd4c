"""Writes of the archives context, one module per area:

- `filing`: create and edit archives and members, ID registration (one ID, one open archive).
- `procedure`: investigation, democratic review, public notice, approval, return, refusal, consent.
- `standards`: 低保标准, minimum wage, benefit types; categories and determinations.
- `attachments`: upload, withdraw, serve (encrypted at rest).
- `dynamic`: yearly reviews, spot checks, monthly incomes, 脱困 proposals, closing, reopening.
- `importing`: the two-phase Excel import.
"""
