"""The petitioner's side without a log-in: the rate limit of the public pages, following progress
with the query code, and the rating.

The rate limit counts hits in the database (`PublicHit`), so every app server and gunicorn worker
sees the same count; the client's address is kept only as a keyed hash.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.core.crypto import blind_index
from bangfu.core.errors import DomainError

from ..models import Petition, PublicHit
from ..selectors.public import petition_by_code
from .handling import rate
from .registration import AnonymousVisitor

WINDOW = timedelta(hours=1)
SUBMIT = "submit"
QUERY = "query"


class RateLimited(DomainError):
    """Too many requests from one client address within the hour."""


def _limit(scope: str) -> int:
    if scope == SUBMIT:
        return int(getattr(settings, "BANGFU_PETITION_PUBLIC_SUBMISSIONS_PER_HOUR", 5))
    return int(getattr(settings, "BANGFU_PETITION_PUBLIC_QUERIES_PER_HOUR", 30))


def throttle(*, scope: str, client_address: str) -> None:
    """Count one request of `scope` from the client; raise RateLimited when the client has
    already made the hour's allowance (the refused request is not counted)."""
    key = blind_index(client_address or "-", purpose="petition_public_client")
    now = timezone.now()
    with transaction.atomic():
        # Old hits of this client are not needed any more; dropping them keeps the table small.
        PublicHit.objects.filter(scope=scope, client_key=key, created_at__lt=now - WINDOW).delete()
        recent = PublicHit.objects.filter(
            scope=scope, client_key=key, created_at__gte=now - WINDOW
        ).count()
        if recent >= _limit(scope):
            raise RateLimited(
                _("您的请求过于频繁,请一小时后再试;急事请拨打帮扶中心电话或到中心来访。")
            )
        PublicHit.objects.create(scope=scope, client_key=key, created_at=now)


def prune_hits() -> int:
    """Delete hits older than the window (for a periodic clean-up); return how many."""
    deleted, _rows = PublicHit.objects.filter(created_at__lt=timezone.now() - WINDOW).delete()
    return deleted


def petition_rate_online(*, code: str, rating: str, comment: str = "") -> Petition:
    """Record the rating the petitioner gives on the public page with the query code, once,
    after the reply. Raise NotFound for a wrong code, Conflict before the reply or when rated."""
    petition = petition_by_code(code)
    return rate(
        actor=AnonymousVisitor(), petition=petition, rating=rating, comment=comment, online=True
    )
