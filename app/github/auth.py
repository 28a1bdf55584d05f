"""App authentication: the App JWT and installation access tokens, each cached.

The JWT (RS256, signed with the App's private key) is minted with `iat` back-dated 60 s
for clock drift and reused until shortly before it expires. Installation tokens live an
hour; each is cached per installation until `token_refresh_margin` before its
`expires_at`, and concurrent callers share one fetch (a lock per installation). The clock
is injected so tests can age tokens without sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt as pyjwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from app.github.errors import ConfigurationError, UnexpectedResponseError

Clock = Callable[[], float]

#: GitHub rejects a JWT whose `iat` is in its future; back-date it against clock drift
JWT_BACKDATE = 60.0


def load_private_key(pem: str) -> RSAPrivateKey:
    """The App's RSA private key, or a `ConfigurationError` that says what is wrong."""
    try:
        key = load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(
            f"the GitHub App private key is not a PEM private key without a passphrase: {exc}"
        ) from None
    if not isinstance(key, RSAPrivateKey):
        raise ConfigurationError(
            "the GitHub App private key must be an RSA key (GitHub signs RS256)"
        )
    return key


class AppJWT:
    """Mints and caches the App's JWT."""

    def __init__(self, app_id: str, private_key: str, *, clock: Clock, lifetime: float) -> None:
        if not str(app_id).strip():
            raise ConfigurationError("the GitHub App id is empty")
        self.app_id = str(app_id).strip()
        self._key = load_private_key(private_key)
        self._clock = clock
        self._lifetime = lifetime
        self._token: str | None = None
        self._expires = 0.0
        self.minted = 0

    def token(self) -> str:
        now = self._clock()
        # Reuse until a minute before expiry, so a request never carries a dying JWT.
        if self._token is None or now >= self._expires - 60.0:
            issued = int(now - JWT_BACKDATE)
            expires = int(now + self._lifetime)
            payload = {"iat": issued, "exp": expires, "iss": self.app_id}
            self._token = pyjwt.encode(payload, self._key, algorithm="RS256")
            self._expires = float(expires)
            self.minted += 1
        return self._token


@dataclass(frozen=True, slots=True)
class InstallationToken:
    token: str = ""
    expires_at: float = 0.0
    permissions: tuple[tuple[str, str], ...] = ()
    repository_selection: str = ""

    @classmethod
    def from_json(cls, data: Any) -> InstallationToken:
        if not isinstance(data, dict) or not data.get("token") or not data.get("expires_at"):
            raise UnexpectedResponseError("the installation access token response has no token")
        return cls(
            token=str(data["token"]),
            expires_at=parse_timestamp(str(data["expires_at"])),
            permissions=tuple(
                sorted((str(k), str(v)) for k, v in (data.get("permissions") or {}).items())
            ),
            repository_selection=str(data.get("repository_selection") or ""),
        )


def parse_timestamp(value: str) -> float:
    """GitHub's ISO 8601 timestamps (`2016-07-11T22:14:10Z`) as epoch seconds."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


class TokenCache:
    """Installation tokens by installation id, refreshed `margin` seconds before expiry."""

    def __init__(self, *, clock: Clock, margin: float) -> None:
        self._clock = clock
        self._margin = margin
        self._tokens: dict[int, InstallationToken] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self.fetched = 0

    async def get(
        self, installation_id: int, fetch: Callable[[int], Awaitable[InstallationToken]]
    ) -> str:
        cached = self._fresh(installation_id)
        if cached is not None:
            return cached
        lock = self._locks.setdefault(installation_id, asyncio.Lock())
        async with lock:
            cached = self._fresh(installation_id)  # another caller may have fetched it
            if cached is not None:
                return cached
            token = await fetch(installation_id)
            self.fetched += 1
            self._tokens[installation_id] = token
            return token.token

    def _fresh(self, installation_id: int) -> str | None:
        token = self._tokens.get(installation_id)
        if token is not None and self._clock() < token.expires_at - self._margin:
            return token.token
        return None

    def invalidate(self, installation_id: int, token: str | None = None) -> None:
        """Forget the cached token (only if it is still `token`, when given)."""
        current = self._tokens.get(installation_id)
        if current is not None and (token is None or current.token == token):
            del self._tokens[installation_id]
