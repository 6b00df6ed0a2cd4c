"""Find what each context contributes to the shared registries, without the kernel importing any
context by name: for every installed ``bangfu.*`` app, import its ``panels``, ``due``,
``audit_actions`` and ``deadlines`` modules (and, for a package, every module in it). Called once
from `CoreConfig.ready`."""

from __future__ import annotations

import importlib
import pkgutil

from django.apps import apps

CONTRIBUTIONS = ("panels", "due", "audit_actions", "deadlines")


def _import_optional(name: str) -> object | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def autodiscover(names: tuple[str, ...] = CONTRIBUTIONS) -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("bangfu."):
            continue
        for name in names:
            module = _import_optional(f"{config.name}.{name}")
            path = getattr(module, "__path__", None)
            if path is None:
                continue
            for info in pkgutil.iter_modules(path):
                importlib.import_module(f"{config.name}.{name}.{info.name}")
