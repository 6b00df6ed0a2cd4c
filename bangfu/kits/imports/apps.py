from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "bangfu.kits.imports"
    label = "imports"
    verbose_name = _("导入")

    def ready(self) -> None:
        # A dead check or write job fails its batch (`core.jobs.on_job_died`); the reaper may
        # run in a process with no URLconf.
        from . import tasks  # noqa: F401
