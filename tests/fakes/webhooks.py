"""Signed webhook deliveries, as GitHub sends them, and the `@octokit/webhooks-examples` corpus.

`signed_delivery` builds the headers GitHub puts on a delivery (`X-GitHub-Event`,
`X-GitHub-Delivery`, `X-Hub-Signature-256`, content type, user agent) for a payload and a
secret; `example_payloads` yields every example payload of the pinned package
(58 events, 329 payloads), which come without headers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import aiohttp

from tests.fakes.fixtures import webhook_examples_path


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook delivery: what an HTTP client posts to the App."""

    event: str
    delivery_id: str
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> Any:
        return json.loads(self.body)

    @property
    def lower_headers(self) -> dict[str, str]:
        """Header names lower-cased (what gidgethub's `Event.from_http` expects)."""
        return {name.lower(): value for name, value in self.headers.items()}


def signature(body: bytes, secret: str) -> str:
    """The `X-Hub-Signature-256` value GitHub computes for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_delivery(
    event: str,
    payload: Mapping[str, Any] | bytes,
    secret: str,
    *,
    delivery_id: str | None = None,
    hook_id: int = 1,
) -> Delivery:
    """Headers and body of a delivery of `payload` signed with `secret`."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    delivery = delivery_id or str(uuid.uuid4())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/fake",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-GitHub-Hook-ID": str(hook_id),
        "X-Hub-Signature-256": signature(body, secret),
    }
    if isinstance(payload, Mapping) and isinstance(payload.get("installation"), dict):
        headers["X-GitHub-Hook-Installation-Target-Type"] = "integration"
    return Delivery(event, delivery, headers, body)


@dataclass(frozen=True, slots=True)
class Example:
    event: str
    action: str | None
    index: int
    payload: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.event}.{self.action or '-'}.{self.index}"


@cache
def _examples(path: str) -> tuple[Example, ...]:
    document = json.loads(Path(path).read_text())
    found: list[Example] = []
    for entry in document:
        for index, payload in enumerate(entry["examples"]):
            action = payload.get("action") if isinstance(payload, dict) else None
            found.append(Example(entry["name"], action, index, payload))
    return tuple(found)


def example_payloads(events: set[str] | None = None) -> Iterator[Example]:
    """Every example payload (optionally only of `events`), in the package's order."""
    for example in _examples(str(webhook_examples_path())):
        if events is None or example.event in events:
            yield example


def example_events() -> list[str]:
    return sorted({example.event for example in example_payloads()})


async def post_delivery(
    session: aiohttp.ClientSession, url: str, delivery: Delivery
) -> tuple[int, bytes]:
    """POST a delivery to a webhook endpoint, as GitHub would; (status, body)."""
    async with session.post(url, data=delivery.body, headers=delivery.headers) as response:
        return response.status, await response.read()
