"""Repeats: a petition of the same person about a similar matter as an earlier one.

The same person: the same ID number (blind index), else the same name and the same phone (blind
index). A similar matter: the same category and requests that share at least
BANGFU_PETITION_REPEAT_SIMILARITY percent of their two-character sequences (Jaccard over bigrams,
which suits Chinese text without a word segmenter). Anonymous petitions are never matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from ..models import Petition

# How many of the person's earlier petitions in the category are compared, newest first.
CANDIDATES = 50
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def bigrams(text: str) -> set[str]:
    cleaned = _NOISE.sub("", text or "").lower()
    if len(cleaned) < 2:
        return {cleaned} if cleaned else set()
    return {cleaned[i : i + 2] for i in range(len(cleaned) - 1)}


def similarity(a: str, b: str) -> int:
    """Return the Jaccard similarity of the two texts' bigrams, in whole percent."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0
    return round(100 * len(x & y) / len(x | y))


def threshold() -> int:
    return int(getattr(settings, "BANGFU_PETITION_REPEAT_SIMILARITY", 40))


@dataclass(frozen=True)
class RepeatMatch:
    petition: Petition
    similarity: int


def find_repeat(
    *,
    category: str,
    request: str,
    name: str,
    id_index: str,
    phone_index: str,
    exclude_pk: int | None = None,
) -> RepeatMatch | None:
    """Return the earlier petition the new one repeats (the most similar, then the newest), or
    None. Looks across every unit: a repeat is a fact about the person, not about a scope; who
    may see the earlier one is decided where it is shown."""
    same_person = Q(pk__in=[])
    if id_index:
        same_person |= Q(id_index=id_index)
    if name and phone_index:
        same_person |= Q(petitioner_name=name, phone_index=phone_index)
    if not (id_index or (name and phone_index)):
        return None
    earlier_ones = Petition.objects.filter(same_person, category=category, anonymous=False)
    if exclude_pk is not None:
        earlier_ones = earlier_ones.exclude(pk=exclude_pk)
    candidates = earlier_ones.order_by("-received_on", "-pk").only(
        "pk", "number", "request", "status", "received_on", "repeat_of_id"
    )[:CANDIDATES]
    best: RepeatMatch | None = None
    for earlier in candidates:
        score = similarity(request, earlier.request)
        if score >= threshold() and (best is None or score > best.similarity):
            best = RepeatMatch(earlier, score)
    return best


def final_in_chain(petition: Petition) -> Petition | None:
    """Return the earliest petition of the repeat chain whose 复核 is answered (the matter is
    closed for good), or None. Follows `repeat_of` back at most a few dozen steps."""
    seen: set[int] = set()
    current: Petition | None = petition.repeat_of
    while current is not None and current.pk not in seen and len(seen) < 50:
        if current.status == Petition.Status.RECHECKED:
            return current
        seen.add(current.pk)
        current = current.repeat_of
    return None
