"""Webhook intake: authenticate a delivery, store it with its job, answer GitHub at once.

Owns the HTTP side of webhooks only. Nothing here routes or processes an event: the worker
does that later from the durable queue (`app.worker`, `app.routing`). May import `app.store`
and `app.metrics`; never `app.routing`, `app.github` or `app.bindings` (the app factory
hands the intake a `wants(event)` predicate instead).
"""

from app.webhooks.intake import DELIVERY_JOB, WEBHOOK_PATH, IntakeConfig, WebhookIntake
from app.webhooks.signature import SIGNATURE_HEADER, sign, verify_signature

__all__ = [
    "DELIVERY_JOB",
    "SIGNATURE_HEADER",
    "WEBHOOK_PATH",
    "IntakeConfig",
    "WebhookIntake",
    "sign",
    "verify_signature",
]
