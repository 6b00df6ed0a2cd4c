from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "bangfu.archives"
    label = "archives"
    verbose_name = _("困难职工档案")

    def ready(self) -> None:
        import importlib
        import pkgutil

        # Each area registers its detail-page panels and worklist items in `panels_<area>.py`.
        package = importlib.import_module(self.name)
        for module in pkgutil.iter_modules(package.__path__):
            if module.name.startswith(("panels_", "due_")):
                importlib.import_module(f"{self.name}.{module.name}")
