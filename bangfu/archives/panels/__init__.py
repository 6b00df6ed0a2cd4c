"""Sections of the archive page (`bangfu.core.panels`), one module per area of the archives.

Other contexts add their own sections to the same page by registering for `PAGE`.
"""

PAGE = "archives.household"
