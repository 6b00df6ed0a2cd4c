"""Template filters of the form kit (`{% load formkit %}`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

register = template.Library()


@register.filter
def choice_groups(choices: Iterable[Any]) -> list[tuple[Any, list[tuple[Any, Any]]]]:
    """Return a select's choices as (group label or None, [(value, label), …]): plain choices
    in runs of their own, each named group (Django's `(label, [(value, label), …])`) as one."""
    groups: list[tuple[Any, list[tuple[Any, Any]]]] = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            groups.append((value, [(v, lab) for v, lab in label]))
        elif groups and groups[-1][0] is None:
            groups[-1][1].append((value, label))
        else:
            groups.append((None, [(value, label)]))
    return groups
