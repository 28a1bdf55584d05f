"""Every `@octokit/webhooks-examples` payload, signed here, parses with gidgethub; a tampered
one does not."""

from __future__ import annotations

import json

import pytest
from gidgethub import BadRequest, ValidationFailure
from gidgethub.sansio import Event

from tests.fakes.webhooks import example_events, example_payloads, signature, signed_delivery

SECRET = "It's a Secret to Everybody"


def test_the_corpus_is_the_pinned_one() -> None:
    examples = list(example_payloads())
    assert len(examples) == 329
    assert len(example_events()) == 58
    assert {
        "push",
        "pull_request",
        "issue_comment",
        "installation",
        "installation_repositories",
        "check_run",
        "check_suite",
    } <= set(example_events())


def test_github_documented_signature() -> None:
    # the example from GitHub's "Validating webhook deliveries" documentation
    assert signature(b"Hello, World!", SECRET) == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )


def test_every_example_payload_parses_when_signed_and_fails_when_tampered() -> None:
    seen = 0
    for example in example_payloads():
        delivery = signed_delivery(example.event, example.payload, SECRET)
        event = Event.from_http(delivery.lower_headers, delivery.body, secret=SECRET)
        assert event.event == example.event, example.id
        assert event.delivery_id == delivery.delivery_id
        assert event.data == example.payload

        tampered = delivery.body.replace(b"{", b"{ ", 1)
        with pytest.raises(ValidationFailure):
            Event.from_http(delivery.lower_headers, tampered, secret=SECRET)
        with pytest.raises(ValidationFailure):
            Event.from_http(delivery.lower_headers, delivery.body, secret="another secret")
        seen += 1
    assert seen == 329


def test_missing_signature_or_wrong_content_type() -> None:
    delivery = signed_delivery("ping", {"zen": "Keep it logically awesome."}, SECRET)
    headers = {k: v for k, v in delivery.lower_headers.items() if k != "x-hub-signature-256"}
    with pytest.raises(ValidationFailure):
        Event.from_http(headers, delivery.body, secret=SECRET)
    with pytest.raises(BadRequest):
        Event.from_http(
            {**delivery.lower_headers, "content-type": "text/plain"}, delivery.body, secret=SECRET
        )
    assert json.loads(delivery.body) == delivery.payload
