"""App JWT and installation tokens: minted, cached, refreshed, refetched on 401."""

from __future__ import annotations

import asyncio
import logging

import jwt
import pytest

from app.github.auth import AppJWT, parse_timestamp
from app.github.context import DeliveryFilter, delivery_context
from app.github.errors import AuthenticationError, ConfigurationError, ForbiddenError
from app.github.settings import GitHubSettings
from tests.fakes.clock import FakeClock
from tests.fakes.github import FakeGitHub, app_key_pair
from tests.github.helpers import github_app, run

TOKEN_ROUTE = "POST /app/installations/{installation_id}/access_tokens"


def world(gh: FakeGitHub) -> int:
    inst = gh.add_installation("acme")
    gh.add_repo("acme/api", installation=inst, files={"services.yaml": "x: 1\n"})
    return inst.id


def test_jwt_is_rs256_backdated_and_reused_until_near_expiry(clock: FakeClock) -> None:
    private, public = app_key_pair()
    app_jwt = AppJWT("4242", private, clock=clock, lifetime=540)
    token = app_jwt.token()
    claims = jwt.decode(
        token, public, algorithms=["RS256"], options={"verify_exp": False, "verify_iat": False}
    )
    assert claims["iss"] == "4242"
    assert claims["iat"] == int(clock() - 60) and claims["exp"] == int(clock() + 540)
    clock.advance(400)
    assert app_jwt.token() == token
    clock.advance(100)  # within a minute of expiry: a new one
    assert app_jwt.token() != token and app_jwt.minted == 2


def test_a_bad_private_key_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="PEM"):
        AppJWT("1", "not a key", clock=lambda: 0.0, lifetime=540)
    with pytest.raises(ConfigurationError, match="empty"):
        AppJWT(" ", app_key_pair()[0], clock=lambda: 0.0, lifetime=540)


def test_installation_token_is_cached_until_shortly_before_expiry(
    fake_github: FakeGitHub, clock: FakeClock
) -> None:
    inst = world(fake_github)

    async def scenario() -> None:
        async with github_app(fake_github, clock=clock, token_refresh_margin=300) as app:
            client = app.installation(inst)
            await client.get_repository("acme", "api")
            await client.get_repository("acme", "api")
            assert fake_github.requests[TOKEN_ROUTE] == 1
            clock.advance(3600 - 301)  # still fresh
            await client.get_repository("acme", "api")
            assert fake_github.requests[TOKEN_ROUTE] == 1
            clock.advance(2)  # inside the refresh margin
            await client.get_repository("acme", "api")
            assert fake_github.requests[TOKEN_ROUTE] == 2
            clock.advance(3600)  # the JWT was re-minted too (the fake checks exp)
            await client.get_repository("acme", "api")
            assert fake_github.requests[TOKEN_ROUTE] == 3 and app.jwt.minted >= 2

    run(scenario())
    assert fake_github.auth_failures == []


def test_concurrent_callers_share_one_token_fetch(fake_github: FakeGitHub) -> None:
    inst = world(fake_github)
    fake_github.latency = 0.01

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            client = app.installation(inst)
            await asyncio.gather(
                *(client.get_permission("acme", "api", f"u{i}") for i in range(10))
            )

    run(scenario())
    assert fake_github.requests[TOKEN_ROUTE] == 1


def test_a_revoked_token_is_refetched_once(fake_github: FakeGitHub) -> None:
    inst = world(fake_github)

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            client = app.installation(inst)
            await client.get_repository("acme", "api")
            fake_github.revoke_tokens()
            assert (await client.get_repository("acme", "api")).name == "api"
            assert fake_github.requests[TOKEN_ROUTE] == 2

    run(scenario())
    assert fake_github.auth_failures == ["Bad credentials"]


def test_wrong_app_key_fails_with_authentication_error(fake_github: FakeGitHub) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    inst = world(fake_github)
    other = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            app.jwt = AppJWT(str(fake_github.app_id), other, clock=app.clock, lifetime=540)
            with pytest.raises(AuthenticationError) as caught:
                await app.installation(inst).get_repository("acme", "api")
            assert not caught.value.retryable and caught.value.status == 401

    run(scenario())
    assert fake_github.auth_failures and "decoded" in fake_github.auth_failures[0]


def test_suspended_installation_is_forbidden(fake_github: FakeGitHub) -> None:
    inst = world(fake_github)
    fake_github.installations[inst].suspended = True

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            with pytest.raises(ForbiddenError):
                await app.installation(inst).get_repository("acme", "api")

    run(scenario())


def test_delivery_id_is_carried_into_log_records(
    fake_github: FakeGitHub, caplog: pytest.LogCaptureFixture
) -> None:
    inst = world(fake_github)
    caplog.set_level(logging.DEBUG, logger="manifold.github")

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            with delivery_context("d-123"):
                await asyncio.gather(
                    app.installation(inst).get_repository("acme", "api"), other(app)
                )
            await app.installation(inst).get_repository("acme", "api")

    async def other(app: object) -> None:
        with delivery_context("d-456"):
            await asyncio.sleep(0)

    run(scenario())
    mine = [r for r in caplog.records if r.name == "manifold.github"]
    tagged = [r for r in mine if getattr(r, "delivery", None) == "d-123"]
    assert tagged and all(r.getMessage().startswith("[delivery d-123]") for r in tagged)
    assert not [r for r in mine if getattr(r, "delivery", None) == "d-456"]
    assert [r for r in mine if getattr(r, "delivery", None) == "-"]  # outside a delivery
    record = logging.LogRecord("x", logging.INFO, "f", 1, "m", None, None)
    with delivery_context("d-9"):
        assert DeliveryFilter().filter(record) and record.delivery == "d-9"  # type: ignore[attr-defined]


def test_settings_never_show_the_private_key() -> None:
    settings = GitHubSettings(app_id="1", private_key="SECRET-PEM")
    assert "SECRET" not in repr(settings)
    assert settings.base_url == "https://api.github.com/"
    assert parse_timestamp("2016-07-11T22:14:10Z") == 1468275250
