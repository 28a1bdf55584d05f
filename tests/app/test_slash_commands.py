"""The pure slash-command parser: a command, an immediate reply, or ignore."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.slash import USAGE, Command, Ignore, Reply, parse_comment


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/manifold preview", Command("preview")),
        ("  /manifold   PREVIEW  ", Command("preview")),
        ("/manifold plan", Command("plan", env="ai", slot=1)),
        ("/manifold plan production", Command("plan", env="production", slot=1)),
        ("/manifold plan ai 3", Command("plan", env="ai", slot=3)),
        ("/manifold plan 2", Command("plan", env="ai", slot=2)),
        ("/manifold docs SRE", Command("docs", role="sre")),
        ("Thanks!\n\n/manifold plan dev 2\nmore text", Command("plan", env="dev", slot=2)),
    ],
)
def test_commands(body, expected):
    assert parse_comment(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "",
        "LGTM",
        "please run manifold preview",
        "> /manifold preview\nquoted, not meant",
        "```\n/manifold preview\n```",
        "/help",
        "/deploy now",
    ],
)
def test_ignored(body):
    assert isinstance(parse_comment(body), Ignore)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("/manifold plna", "Did you mean `/manifold plan`?"),
        ("/manifold prevew", "Did you mean `/manifold preview`?"),
        ("/manifold frobnicate", "Unknown command `frobnicate`."),
        ("/manifld preview", "Did you mean `/manifold preview`?"),
        ("/manifold preview now", "`preview` takes no arguments."),
        ("/manifold docs", "`docs` takes exactly one role"),
        ("/manifold docs a b", "`docs` takes exactly one role"),
        ("/manifold plan ai 0", "The slot must be a whole number from 1 to 10000, not `0`."),
        ("/manifold plan ai two", "not `two`"),
        ("/manifold plan ai 1 extra", "at most an environment and a slot"),
        ("/manifold plan Ai$", "is not an environment name"),
    ],
)
def test_usage_errors_reply_at_once(body, fragment):
    result = parse_comment(body)
    assert isinstance(result, Reply)
    assert result.error
    assert fragment in result.body
    assert USAGE in result.body


@pytest.mark.parametrize("body", ["/manifold", "/manifold help", "/manifold HELP"])
def test_help(body):
    assert parse_comment(body) == Reply(USAGE, error=False)


@given(st.text(max_size=300))
def test_any_text_parses_to_one_of_three(body):
    assert isinstance(parse_comment(body), Command | Reply | Ignore)
