"""Every URL of the project declares the permission it needs (the middleware fails closed)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.urls import URLPattern, URLResolver, get_resolver

from bangfu.accounts import policy


def _url_names(patterns: Iterable[URLPattern | URLResolver], namespace: str = "") -> Iterator[str]:
    """Yield every pattern's fully qualified name ("api:user_list"); "" for an unnamed one."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            qualified = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from _url_names(pattern.url_patterns, qualified)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name
        else:
            yield f"{namespace}:<unnamed {pattern.pattern}>"


def test_every_url_name_declares_its_permission():
    names = set(_url_names(get_resolver().url_patterns))

    assert {name.split(":")[0] for name in names} >= {"accounts", "workbench", "network", "api"}
    assert sorted(names - policy.declared_url_names()) == []


def test_the_walk_sees_nested_api_names():
    names = set(_url_names(get_resolver().url_patterns))

    assert {"accounts:login", "workbench:worklist", "api:schema", "api:docs"} <= names
