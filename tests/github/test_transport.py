"""Conditional requests, retries, rate limits and the concurrency bound, against the fake."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import aiohttp
import pytest

from app.github.client import GitHubApp
from app.github.errors import RateLimitError, ServerError, TransportError
from app.github.settings import GitHubSettings
from app.github.transport import classify_rate_limit, parse_retry_after
from tests.fakes.clock import FakeClock
from tests.fakes.github import FakeGitHub, app_key_pair
from tests.github.helpers import github_app, run, settings_for

REF_ROUTE = "GET /repos/{owner}/{repo}/git/ref/{ref}"


def world(gh: FakeGitHub) -> int:
    inst = gh.add_installation("acme")
    gh.add_repo("acme/api", installation=inst, files={"services.yaml": "spec: {}\n"})
    return inst.id


def test_etag_304_is_served_from_cache_and_costs_no_quota(fake_github: FakeGitHub) -> None:
    inst = world(fake_github)

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            client = app.installation(inst)
            first = await client.get_ref("acme", "api", "heads/main")
            second = await client.get_ref("acme", "api", "heads/main")
            assert first == second
            assert app.stats.not_modified == 1
            # the second request carried the ETag of the first
            sent = fake_github.calls(REF_ROUTE)
            assert "If-None-Match" not in sent[0].headers and sent[1].headers["If-None-Match"]
            # a moved branch answers 200 with the new value
            fake_github.repo("acme/api").commit({"b": "2"})
            third = await client.get_ref("acme", "api", "heads/main")
            assert third is not None and third.sha == fake_github.repo("acme/api").head()

    run(scenario())
    assert fake_github.not_modified[REF_ROUTE] == 1
    # token + 3 ref look-ups, of which one 304: the quota saw 2 installation requests
    assert fake_github.quota_used[f"installation:{inst}"] == 2


def test_etag_cache_is_partitioned_per_installation(fake_github: FakeGitHub) -> None:
    one = fake_github.add_installation("acme")
    two = fake_github.add_installation("acme-too")
    fake_github.add_repo("acme/api", installation=one, files={"a": "1"})
    fake_github.add_repo("acme/web", installation=two, files={"a": "1"})

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            await app.installation(one.id).get_repository("acme", "api")
            await app.installation(two.id).list_repositories()
            await app.installation(one.id).list_repositories()
            assert app.stats.not_modified == 0  # same URL, other installation: no reuse

    run(scenario())


def test_5xx_is_retried_with_exponential_backoff_and_jitter(
    fake_github: FakeGitHub, clock: FakeClock
) -> None:
    inst = world(fake_github)
    fake_github.fail(502, times=3, route=REF_ROUTE)

    async def scenario() -> None:
        async with github_app(fake_github, clock=clock, backoff_base=0.5, backoff_cap=8) as app:
            ref = await app.installation(inst).get_ref("acme", "api", "heads/main")
            assert ref is not None
            assert app.stats.retries == 3

    run(scenario())
    assert len(clock.sleeps) == 3
    for attempt, slept in enumerate(clock.sleeps):
        ceiling = 0.5 * 2**attempt
        assert ceiling / 2 <= slept <= ceiling  # equal jitter: between half and all of it
    assert fake_github.requests[REF_ROUTE] == 4


def test_persistent_5xx_raises_server_error_after_the_retries(
    fake_github: FakeGitHub, clock: FakeClock
) -> None:
    inst = world(fake_github)
    fake_github.fail(503, times=10, route=REF_ROUTE)

    async def scenario() -> None:
        async with github_app(fake_github, clock=clock, max_retries=2) as app:
            with pytest.raises(ServerError) as caught:
                await app.installation(inst).get_ref("acme", "api", "heads/main")
            assert caught.value.status == 503 and caught.value.retryable

    run(scenario())
    assert fake_github.requests[REF_ROUTE] == 3


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_rate_limit_honours_retry_after(
    fake_github: FakeGitHub, clock: FakeClock, status: int
) -> None:
    inst = world(fake_github)
    fake_github.secondary_rate_limit(retry_after=17, times=1, route=REF_ROUTE, status=status)

    async def scenario() -> None:
        async with github_app(fake_github, clock=clock) as app:
            assert await app.installation(inst).get_ref("acme", "api", "heads/main") is not None
            assert app.stats.rate_limited == 1

    run(scenario())
    assert clock.sleeps == [17]


def test_secondary_rate_limit_without_retry_after_waits_a_minute(
    fake_github: FakeGitHub, clock: FakeClock
) -> None:
    inst = world(fake_github)
    fake_github.secondary_rate_limit(retry_after=None, times=1, route=REF_ROUTE)

    async def scenario() -> None:
        async with github_app(fake_github, clock=clock, max_rate_limit_wait=300) as app:
            assert await app.installation(inst).get_ref("acme", "api", "heads/main") is not None

    run(scenario())
    assert clock.sleeps == [60]


@pytest.mark.parametrize("status", [403, 429])
def test_primary_rate_limit_waits_until_the_reset(
    fake_github: FakeGitHub, clock: FakeClock, status: int
) -> None:
    inst = world(fake_github)

    async def scenario() -> None:
        async with github_app(fake_github, clock=clock) as app:
            client = app.installation(inst)
            await client.get_repository("acme", "api")  # token fetched, quota known
            fake_github.exhaust_quota(inst, reset_in=40, status=status)
            ref = await client.get_ref("acme", "api", "heads/main")
            assert ref is not None

    run(scenario())
    assert clock.sleeps == [41]  # reset - now, plus a second of header resolution


def test_rate_limit_longer_than_the_budget_raises_with_the_delay(
    fake_github: FakeGitHub, clock: FakeClock
) -> None:
    inst = world(fake_github)

    async def scenario() -> None:
        async with github_app(fake_github, clock=clock, max_rate_limit_wait=30) as app:
            client = app.installation(inst)
            await client.get_repository("acme", "api")
            fake_github.exhaust_quota(inst, reset_in=1800)
            with pytest.raises(RateLimitError) as caught:
                await client.get_ref("acme", "api", "heads/main")
            assert caught.value.kind == "primary"
            assert caught.value.retryable and caught.value.delay == pytest.approx(1801)
            assert caught.value.reset_at == pytest.approx(clock() + 1800)
            # the quota is now known to be spent: the next call fails without a request
            before = fake_github.total_requests
            with pytest.raises(RateLimitError):
                await client.get_ref("acme", "api", "heads/main")
            assert fake_github.total_requests == before

    run(scenario())
    assert clock.sleeps == []


def test_a_spent_quota_is_waited_out_before_sending(
    fake_github: FakeGitHub, clock: FakeClock
) -> None:
    inst = world(fake_github)

    async def scenario() -> None:
        async with github_app(fake_github, clock=clock) as app:
            client = app.installation(inst)
            await client.get_repository("acme", "api")
            fake_github.exhaust_quota(inst, reset_in=20)
            default = app.requests.policy
            app.requests.policy = replace(default, max_rate_limit_wait=0)
            with pytest.raises(RateLimitError):  # learn the reset without waiting
                await client.get_ref("acme", "api", "heads/main")
            app.requests.policy = default
            before = fake_github.total_requests
            assert await client.get_ref("acme", "api", "heads/main") is not None
            assert fake_github.total_requests == before + 1  # waited first, then one request

    run(scenario())
    assert clock.sleeps == [21]


def test_concurrency_is_bounded_per_installation(fake_github: FakeGitHub) -> None:
    one = fake_github.add_installation("acme")
    two = fake_github.add_installation("other")
    fake_github.add_repo("acme/api", installation=one, files={"a": "1"})
    fake_github.add_repo("other/api", installation=two, files={"a": "1"})
    fake_github.latency = 0.02

    async def scenario() -> None:
        async with github_app(fake_github, concurrency_per_installation=3) as app:
            calls = [
                app.installation(one.id).get_permission("acme", "api", f"user{i}")
                for i in range(12)
            ]
            calls += [
                app.installation(two.id).get_permission("other", "api", f"user{i}")
                for i in range(12)
            ]
            await asyncio.gather(*calls)
            assert app.requests.partition(f"installation:{one.id}").max_in_flight == 3

    run(scenario())
    assert fake_github.max_in_flight[f"installation:{one.id}"] == 3
    assert fake_github.max_in_flight[f"installation:{two.id}"] == 3


def test_no_connection_raises_transport_error_after_retries(clock: FakeClock) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            # a port nothing listens on: bind one, then close it
            server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            server.close()
            await server.wait_closed()
            settings = GitHubSettings(
                app_id="1", private_key=app_key_pair()[0], api_url=f"http://127.0.0.1:{port}"
            )
            app = GitHubApp(session, settings, clock=clock, sleep=clock.sleep)
            with pytest.raises(TransportError) as caught:
                await app.list_installations()
            assert caught.value.retryable and caught.value.status is None

    run(scenario())
    assert len(clock.sleeps) == 4


def test_ghes_api_url_with_a_path_prefix(fake_github: FakeGitHub) -> None:
    ghes = FakeGitHub(fake_github.spec, base_path="/api/v3")
    inst = world(ghes)
    with ghes.running():

        async def scenario() -> None:
            async with github_app(ghes) as app:
                assert app.settings.api_url.endswith("/api/v3")
                installs = await app.list_installations()
                assert [i.id for i in installs] == [inst]
                assert (
                    await app.installation(inst).get_file("acme", "api", "services.yaml")
                    == b"spec: {}\n"
                )

        run(scenario())
    assert all(r.path.startswith("/api/v3/") for r in ghes.log)
    ghes.assert_clean()
    assert settings_for(ghes).base_url.endswith("/api/v3/")


def test_classify_rate_limit() -> None:
    now = 1000.0
    assert classify_rate_limit(200, {}, b"", now, 60) is None
    assert (
        classify_rate_limit(
            403, {}, b'{"message": "Resource not accessible by integration"}', now, 60
        )
        is None
    )
    hit = classify_rate_limit(
        403,
        {"retry-after": "5", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "2000"},
        b"",
        now,
        60,
    )
    assert hit is not None and (hit.kind, hit.wait) == ("secondary", 5)  # Retry-After first
    hit = classify_rate_limit(
        429, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1010"}, b"", now, 60
    )
    assert hit is not None and (hit.kind, hit.wait, hit.reset_at) == ("primary", 11, 1010)
    hit = classify_rate_limit(
        403, {}, b'{"message": "You have exceeded a secondary rate limit"}', now, 60
    )
    assert hit is not None and (hit.kind, hit.wait) == ("secondary", 60)
    hit = classify_rate_limit(429, {}, b"", now, 60)
    assert hit is not None and hit.kind == "secondary"


def test_parse_retry_after() -> None:
    assert parse_retry_after("12", 0) == 12
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470) == 10
    assert parse_retry_after("soon", 0) is None
