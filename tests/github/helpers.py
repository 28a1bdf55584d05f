"""Helpers for the GitHub client tests: a manual clock and a client wired to the fake."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import aiohttp
import pytest

from app.github.client import GitHubApp
from app.github.settings import ClientPolicy, GitHubSettings
from tests.fakes.clock import FakeClock
from tests.fakes.github import FakeGitHub

T = TypeVar("T")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def settings_for(gh: FakeGitHub) -> GitHubSettings:
    return GitHubSettings(app_id=str(gh.app_id), private_key=gh.private_key_pem, api_url=gh.url)


@asynccontextmanager
async def github_app(
    gh: FakeGitHub, *, clock: FakeClock | None = None, **policy: Any
) -> AsyncIterator[GitHubApp]:
    """A `GitHubApp` talking to `gh`; with `clock`, both sides share it and sleeps are instant."""
    if clock is not None:
        gh.clock = clock
    async with aiohttp.ClientSession() as session:
        yield GitHubApp(
            session,
            settings_for(gh),
            policy=ClientPolicy(**policy),
            clock=clock or time.time,
            sleep=clock.sleep if clock is not None else asyncio.sleep,
            rng=random.Random(7),
        )
