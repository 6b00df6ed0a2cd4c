"""Where a referral goes once the module that takes it is installed.

A petition referred to legal aid becomes a case of the legal context; one referred to assistance
becomes an application draft for its linked archive. Those contexts stand above petitions and
register a handler here from their AppConfig.ready:

    from bangfu.petitions.hooks import register_route_handler

    def open_case(*, actor, route) -> str:          # inside the referral's transaction
        case = case_open_from_petition(actor=actor, petition=route.petition, ...)
        return case.number                          # kept as the route's reference

    register_route_handler("legal_aid", open_case)

`petition_refer` calls the handler inside its own transaction, so the referral and the case or
draft commit together (a refusal by the handler — a DomainError — refuses the referral). With no
handler the referral is recorded as waiting; the installed module takes the waiting ones over
later with `services.handling.route_take` (`selectors.routes_waiting(kind=…)` lists them).
"""

from __future__ import annotations

from collections.abc import Callable

RouteHandler = Callable[..., str]
_handlers: dict[str, RouteHandler] = {}


def register_route_handler(kind: str, handler: RouteHandler) -> None:
    """Register the handler that turns a referral of `kind` ("legal_aid", "assistance") into a
    record of the registering context; it returns that record's reference."""
    _handlers[str(kind)] = handler


def unregister_route_handler(kind: str) -> None:
    _handlers.pop(str(kind), None)


def route_handler(kind: str) -> RouteHandler | None:
    return _handlers.get(str(kind))


def installed(kind: str) -> bool:
    return str(kind) in _handlers


__all__ = ["RouteHandler", "installed", "register_route_handler", "route_handler"]
