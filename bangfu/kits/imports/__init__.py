"""The import kit: two-phase Excel imports (check the whole file, then confirm and write) for
any context, with one set of pages, one batch record and background jobs for large files.

An importer (`registry.Importer`, a protocol: plain class attributes and five methods) is what
a context writes; the kit does the rest::

    class RosterImporter:                         # bangfu/archives/services/importing.py
        kind = "archives.roster"                  # stored on each batch
        label = _("困难职工花名册")
        permission = ArchivesPermission.IMPORT    # upload, confirm, see one's own batches
        url_namespace = "archives"                # where `import_urls(kind)` is included
        upload_help = _("先下载导入模板……")
        count_labels = (("households_new", _("将新建户数"), _("已新建户数")), …)
        skipped_labels = (_("户主"), _("已有档案"))

        def template(self) -> bytes | None         # the workbook to fill in (or None)
        def read(self, content) -> Table           # ValidationError(field="file") if unreadable
        def check(self, *, user, batch, table, content, progress) -> Outcome   # writes nothing
        def write(self, *, user, batch, content, progress) -> Outcome          # one transaction
        def summary(self, batch) -> str            # the sentence for each status

    importer_register(RosterImporter())           # at import time of a module `ready()` loads

    urlpatterns = [*import_urls("archives.roster"), …]   # names import_upload, import_batch,
                                                         # import_errors, import_confirm,
                                                         # import_cancel, import_retry,
                                                         # import_template: declare them in
                                                         # the context's URL_PERMISSIONS

When the page that uploads knows what the file is imported into (a bank return file: its
bank batch), it passes `context` (JSON) to `services.batch_start_check`; the kit keeps it on
the batch (`ImportBatch.context`) and the importer's `check` and `write` read it there
(`funds.importing`: {"bank_batch": id, "date": "…"}; a statement: {"book": id}).

`check` reports every problem of the file in one pass as `core.xlsx.CellError`s (sheet, row,
column, message) and says how many records a write would make (`Outcome.writable`; 0 with no
errors = nothing to import). `write` checks again (the database may have changed) and writes
idempotently: what already exists is skipped (`Outcome.skipped`), never edited; when it finds
errors it returns them and writes nothing.

The kit (`services`) alone sets a batch's status: CHECKING → INVALID | NOTHING | READY →
(confirm) IMPORTING → IMPORTED | INVALID; FAILED when a job died (the file is kept for
`batch_retry`); CANCELLED. Files are sealed (`core.crypto`) in chunks (`ImportChunk`) and
deleted once written, refused or cancelled; errors are rows (`ImportBatchError`), downloadable
as a sheet. Files with fewer than `BANGFU_IMPORT_INLINE_ROWS` rows run in the request, larger
ones as `core.jobs` jobs ("imports.check", "imports.write") with a progress bar.

A large file is read once: the rows the upload read (for the mapping) are kept beside the file,
sealed the same way (`ImportChunk.Part.ROWS`, `core.xlsx.table_frames`), and the jobs' check
and write take them (`services.batch_table`) instead of reading the file again; rows kept for
another file, another mapping or another batch, or broken, are not used — the file is read.
An importer's `read` must therefore give a plain `core.xlsx.Table` (as `read_table` does):
anything else it worked out belongs in `check` and `write`, which run on every table.
"""
