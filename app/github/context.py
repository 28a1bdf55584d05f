"""The webhook delivery being handled, carried into every log line of the GitHub client.

The worker wraps each job in `delivery_context(delivery_id)`; the id lives in a
`ContextVar`, so it follows the job into every task it awaits and never leaks into another
job running concurrently. `log_adapter` prefixes messages with it and adds it as the
`delivery` attribute of the record (`%(delivery)s` in a format string); `DeliveryFilter`
does the same for loggers the client does not own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

current_delivery: ContextVar[str | None] = ContextVar("manifold_delivery", default=None)


@contextmanager
def delivery_context(delivery_id: str | None) -> Iterator[None]:
    """Attribute every GitHub call (and its log lines) inside the block to `delivery_id`."""
    token = current_delivery.set(delivery_id)
    try:
        yield
    finally:
        current_delivery.reset(token)


class DeliveryLogAdapter(logging.LoggerAdapter[logging.Logger]):
    """Prefix `[delivery <id>]` and set `record.delivery` (`-` outside a delivery)."""

    def process(
        self, msg: Any, kwargs: MutableMapping[str, Any]
    ) -> tuple[Any, MutableMapping[str, Any]]:
        delivery = current_delivery.get()
        extra = dict(kwargs.get("extra") or {})
        extra.setdefault("delivery", delivery or "-")
        kwargs["extra"] = extra
        return (f"[delivery {delivery}] {msg}" if delivery else msg), kwargs


class DeliveryFilter(logging.Filter):
    """Give every record a `delivery` attribute, for handlers whose format uses it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "delivery"):
            record.delivery = current_delivery.get() or "-"
        return True


def log_adapter(name: str) -> DeliveryLogAdapter:
    return DeliveryLogAdapter(logging.getLogger(name), {})
