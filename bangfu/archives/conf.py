"""The settings of archives' dynamic management, with their defaults (README lists them).

Read by services, selectors, panels and due items alike: a module of its own, so that reads
never import a services module to learn a setting.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _


def review_interval_months() -> int:
    """Return how many months after a yearly review the next one is due."""
    return int(getattr(settings, "BANGFU_REVIEW_INTERVAL_MONTHS", 12))


def spot_check_percent() -> int:
    """Return the share of open archives drawn for the yearly spot check, in percent."""
    return int(getattr(settings, "BANGFU_SPOT_CHECK_PERCENT", 30))


def recovery_months() -> int:
    """Return for how many months in a row the income must stay above the standard before
    an archive is proposed for 脱困."""
    return int(getattr(settings, "BANGFU_RECOVERY_MONTHS", 6))


def retention_years() -> int:
    """Return how many years a closed archive is kept before its retention review."""
    return int(getattr(settings, "BANGFU_RETENTION_YEARS", 10))


def review_rule() -> str:
    """Return the yearly review's rule in words, stored beside its due date."""
    return _("年度复核:上次复核后 %(months)d 个月") % {"months": review_interval_months()}
