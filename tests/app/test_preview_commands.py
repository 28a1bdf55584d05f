"""Slash-commands end to end: each command, each refusal, each kind of noise.

Every comment addressed to Manifold gets 👀 at once; help, typos and unknown commands are
answered for anyone; commands need write access (others get a polite refusal); edited
comments, comments by bots and ordinary comments get nothing at all."""

from __future__ import annotations

from typing import Any

from app.preview.comment import MARKER
from app.preview.replies import reply_marker
from app.slash import USAGE
from tests.app.helpers import served, settings_for
from tests.app.test_preview_world import (
    ORDERS_WORKER,
    build_shop,
    comment_payload,
    install,
    only,
    open_feature,
    pull_request_payload,
    sqlite_db,
)
from tests.fakes.github import FakeGitHub
from tests.store.conftest import Database

__all__ = ["sqlite_db"]


async def test_slash_commands(sqlite_db: Database, fake_github: FakeGitHub) -> None:
    gh = fake_github
    shop = build_shop(gh)
    repo = shop.orders
    async with served(settings_for(sqlite_db.url, gh)) as s:
        await install(s, shop)
        number = open_feature(repo, {"services.yaml": ORDERS_WORKER})
        head = repo.head("feature")
        await s.deliver("pull_request", pull_request_payload(repo, number, "opened"))
        await s.drain()
        first_run = only(gh.check_runs_on(repo.full_name))

        said: dict[str, dict[str, Any]] = {}

        async def say(key: str, body: str, *, login: str = "alice", **kw: Any) -> tuple[int, str]:
            user_type = "Bot" if login.endswith("[bot]") else "User"
            said[key] = gh.add_comment(
                repo.full_name, number, body, login=login, user_type=user_type
            )
            status, answer = await s.deliver(
                "issue_comment", comment_payload(repo, number, said[key], **kw)
            )
            return status, answer["status"]

        assert await say("plan", "/manifold plan ai 2") == (202, "queued")
        assert await say("plan_unknown", "/manifold plan staging") == (202, "queued")
        assert await say("docs", "Please:\n/manifold docs SRE") == (202, "queued")
        assert await say("help", "/manifold help") == (202, "queued")
        assert await say("typo", "/manifold plna") == (202, "queued")
        assert await say("unknown", "/manifold frobnicate") == (202, "queued")
        assert await say("denied", "/manifold preview", login="rita") == (202, "queued")
        assert await say("preview", "/manifold preview") == (202, "queued")
        assert await say("chatter", "LGTM, thanks!") == (202, "queued")
        assert await say("bot", "/manifold preview", login="ci-bot[bot]") == (200, "ignored")
        assert await say("edited", "/manifold preview", action="edited") == (200, "ignored")
        await s.drain()

        def reply_to(key: str) -> str:
            marker = reply_marker(said[key]["id"])
            return str(only([c for c in gh.comments.values() if marker in c["body"]])["body"])

        addressed = ("plan", "plan_unknown", "docs", "help", "typo", "unknown", "denied", "preview")
        for key in addressed:
            assert [r["content"] for r in gh.reactions.get(said[key]["id"], [])] == ["eyes"], key
        for key in ("chatter", "bot", "edited"):
            assert said[key]["id"] not in gh.reactions, key

        plan = reply_to("plan")
        assert f"`/manifold plan ai 2` at `{head[:7]}`" in plan
        assert "environment `ai`, slot 2 → namespace `shop-dev-2`" in plan
        assert "| 4 | 2 | orders-worker | service | internal | orders | orders-api |" in plan
        unknown_env = reply_to("plan_unknown")
        assert "#### shop: no environment `staging`" in unknown_env
        assert "`unknown_environment`" in unknown_env and "ai, production" in unknown_env
        assert "| # | wave |" not in unknown_env
        docs = reply_to("docs")
        assert "documentation for role `sre` (showing 2 of 2)" in docs
        assert "docs/architecture.md" in docs and "docs/runbook.md" in docs
        assert "docs/orders.md" not in docs  # for role dev only
        assert USAGE in reply_to("help")
        assert "Did you mean `/manifold plan`?" in reply_to("typo")
        assert "Unknown command `frobnicate`." in reply_to("unknown")
        denied = reply_to("denied")
        assert denied.count("Sorry @rita") == 1 and "write access" in denied
        for key in ("preview", "chatter"):
            marker = reply_marker(said[key]["id"])
            assert not [c for c in gh.comments.values() if marker in c["body"]], key

        # `/manifold preview` by a writer: a new check run on the head, the sticky comment
        # pointing at it; the refused one ran nothing.
        runs = gh.check_runs_on(repo.full_name, head)
        assert [r["id"] for r in runs] == [first_run["id"], runs[1]["id"]]
        on_pull = gh.comments_on(repo.full_name, number)
        sticky = only([c for c in on_pull if c["body"].startswith(MARKER)])
        assert runs[1]["html_url"] in sticky["body"]
        commands = await s.rows("flow_events", event_type="preview.command")
        results = {e["payload"]["result"] for e in commands}
        assert results == {"ran", "denied", "help", "usage_error"}
        metrics = await (await s.client.get("/metrics")).text()
        assert 'manifold_commands_total{command="preview",result="denied"} 1.0' in metrics
