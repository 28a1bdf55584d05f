"""Every payload of `@octokit/webhooks-examples` (58 events, 329 payloads), signed and replayed
into the real server: the events Manifold subscribes to are queued or ignored, every other
event is ignored, and none is an error. The worker then processes every queued delivery
against the fake GitHub without a single dead letter."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from app.routing import SUBSCRIBED_EVENTS
from tests.app.helpers import SECRET, served, settings_for
from tests.fakes.github import FakeGitHub
from tests.fakes.webhooks import Example, example_payloads, signed_delivery
from tests.store.conftest import Database


def mirror_on_fake_github(gh: FakeGitHub, examples: list[Example]) -> None:
    """The installations and repositories the examples name, so the worker can read them."""
    for example in examples:
        payload = example.payload
        installation = payload.get("installation")
        if not isinstance(installation, dict) or "id" not in installation:
            continue
        inst_id = installation["id"]
        inst = gh.installations.get(inst_id)
        if inst is None:
            account = installation.get("account") or {}
            inst = gh.add_installation(account.get("login", "someone"), installation_id=inst_id)
        names = []
        if isinstance(payload.get("repository"), dict):
            names.append(payload["repository"].get("full_name"))
        for key in ("repositories", "repositories_added", "repositories_removed"):
            names += [r.get("full_name") for r in payload.get(key) or [] if isinstance(r, dict)]
        for name in names:
            if isinstance(name, str) and name.lower() not in gh.repos:
                gh.add_repo(name, installation=inst, files={"README.md": "hello"})


async def test_every_example_is_accepted_or_ignored(db: Database, fake_github: FakeGitHub) -> None:
    examples = list(example_payloads())
    assert len(examples) == 329
    # The corpus has comments on issues only; a comment on a pull request differs by
    # `issue.pull_request`, so add that variant of each.
    for example in [e for e in examples if e.event == "issue_comment"]:
        issue = {**example.payload["issue"], "pull_request": {"url": "https://x/pulls/1"}}
        variant = {**example.payload, "issue": issue}
        examples.append(Example("issue_comment", example.action, example.index + 100, variant))
    mirror_on_fake_github(fake_github, examples)
    results: Counter[tuple[str, int, str]] = Counter()
    async with served(settings_for(db.url, fake_github)) as s:
        semaphore = asyncio.Semaphore(8)

        async def replay(example: Example) -> tuple[Example, int, dict[str, Any]]:
            async with semaphore:
                delivery = signed_delivery(example.event, example.payload, SECRET)
                status, body = await s.post(delivery)
                return example, status, body

        for example, status, body in await asyncio.gather(*map(replay, examples)):
            subscribed = example.event in SUBSCRIBED_EVENTS
            expected = {(202, "queued"), (200, "ignored")} if subscribed else {(200, "ignored")}
            if example.event == "ping":
                expected = {(200, "pong")}
            assert (status, body["status"]) in expected, (example.id, status, body)
            results[(example.event, status, body["status"])] += 1

        queued = sum(n for (_, status, _), n in results.items() if status == 202)
        # Every subscribed event has examples, and some of each are queued.
        for event in SUBSCRIBED_EVENTS:
            assert any(e == event and st == 202 for (e, st, _) in results), event
        assert len(await s.rows("webhook_deliveries")) == queued

        await s.drain()
        jobs = await s.rows("jobs")
        dead = [
            (j["kind"], j["payload"], j["last_error"])
            for j in jobs
            if j["status"] not in ("succeeded", "superseded")
        ]
        assert dead == []
        outcomes = Counter(d["outcome"] for d in await s.rows("webhook_deliveries"))
        assert set(outcomes) <= {"processed", "ignored"}
        assert outcomes["processed"] > 0
