from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "bangfu.archives"
    label = "archives"
    verbose_name = _("困难职工档案")
