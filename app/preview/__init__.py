"""Composition previews: what users see on every push and pull request.

    changes    pure: may a push have changed what a composition reads?
    scopes     what one composition covers: a project, or the repository alone
    pipeline   compose a scope at a change's commits, store it, measure it
    audit      the flow events of each composition (DESIGN.md §4 names)
    checkrun   pure: the check run report (conclusion, title, summary, annotations)
    comment    pure: the sticky pull-request comment
    replies    pure: answers to slash-commands
    publish    the check run's life cycle and the sticky comment, with bookkeeping
    commands   slash-command execution
    runtime    what every preview job shares: GitHub, store, caches, per-commit locks
    service    which change to preview against which base, and when to skip
    jobs       the `preview.*` job handlers: stored payload -> intent -> service / commands

Pure modules take data and return data. The others do I/O only through what they are
handed: the App's GitHub client, the store's engine, the metrics. Nothing here parses raw
webhooks (the routers turn them into `app.intents` first) or imports `app.routing`.
"""

from app.preview.checkrun import CHECK_NAME
from app.preview.jobs import (
    PREVIEW_CHECKS,
    PREVIEW_COMMAND,
    PREVIEW_JOBS,
    PREVIEW_PULL_REQUEST,
    PREVIEW_PUSH,
    run_preview_job,
)
from app.preview.runtime import PreviewRuntime

__all__ = [
    "CHECK_NAME",
    "PREVIEW_CHECKS",
    "PREVIEW_COMMAND",
    "PREVIEW_JOBS",
    "PREVIEW_PULL_REQUEST",
    "PREVIEW_PUSH",
    "PreviewRuntime",
    "run_preview_job",
]
