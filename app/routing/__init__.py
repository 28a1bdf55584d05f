"""Event routing: one gidgethub `Router` per concern, combined into the App's router.

    installations  installation, installation_repositories   -> app.bindings
    roots          push to a default branch                    -> project-root refresh
    previews       push, pull_request, check_suite, check_run,
                   issue_comment                               -> preview jobs (app.preview)

Handlers are a few lines: raw event -> typed intent (`app.intents`) -> a named function.
They run in the worker, never in the webhook request. gidgethub runs the handlers of one event
in no defined order, so no handler depends on another having run.

`wants(event)` is what the intake asks before storing a delivery: some handler is routed for
the event and action, and the concern's cheap pre-checks pass.
"""

from __future__ import annotations

from gidgethub.routing import Router
from gidgethub.sansio import Event

from app.routing import installations, previews, roots
from app.routing.context import HandlerContext, Services
from app.routing.jobs import job_kinds

#: events a GitHub App installation of Manifold subscribes to (docs/app.md)
SUBSCRIBED_EVENTS = (
    "check_run",
    "check_suite",
    "installation",
    "installation_repositories",
    "issue_comment",
    "pull_request",
    "push",
)


def build_router() -> Router:
    return Router(installations.router, roots.router, previews.router)


def wants(router: Router, event: Event) -> bool:
    """Some handler is routed for the event and action, the delivery comes from an App
    installation (a repository or organization hook has no `installation`: Manifold could not
    act on it), and the concern's pre-checks pass."""
    installation = event.data.get("installation")
    from_app = isinstance(installation, dict) and isinstance(installation.get("id"), int)
    return from_app and bool(router.fetch(event)) and previews.wants(event)


__all__ = [
    "SUBSCRIBED_EVENTS",
    "HandlerContext",
    "Services",
    "build_router",
    "job_kinds",
    "wants",
]
