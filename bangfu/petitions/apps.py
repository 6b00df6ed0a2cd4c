from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "bangfu.petitions"
    label = "petitions"
    verbose_name = _("信访接待")
