from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "bangfu.kits.exports"
    label = "exports"
    verbose_name = _("导出")

    def ready(self) -> None:
        # A dead export job is released by the handler registered in tasks (`on_job_died`).
        from . import tasks  # noqa: F401
