from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "bangfu.archives"
    label = "archives"
    verbose_name = _("困难职工档案")

    def ready(self) -> None:
        # What a dead import or export job leaves behind is released by handlers registered
        # in tasks (`core.jobs.on_job_died`); the reaper may run in a process with no URLconf.
        from bangfu.kits.exports.registry import register

        from . import tasks  # noqa: F401
        from .services.exporting import RosterExporter

        register(RosterExporter())

        # The roster importer registers itself on the import kit (kind "archives.roster").
        from .services import importing  # noqa: F401
