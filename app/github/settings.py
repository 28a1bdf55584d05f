"""What the GitHub client is told: the App's identity and the client's limits.

Built once by the server's entry point from the environment and passed in; nothing here
reads the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PUBLIC_API_URL = "https://api.github.com"


@dataclass(frozen=True, slots=True)
class GitHubSettings:
    """The App's identity. `api_url` points at GitHub Enterprise Server when set
    (`https://ghe.example.com/api/v3`)."""

    app_id: str
    private_key: str = field(repr=False)
    api_url: str = PUBLIC_API_URL
    user_agent: str = "manifold"

    @property
    def base_url(self) -> str:
        """`api_url` with exactly one trailing slash, so relative paths keep its path prefix."""
        return self.api_url.rstrip("/") + "/"


@dataclass(frozen=True, slots=True)
class ClientPolicy:
    """Retry, rate-limit, caching and concurrency limits (defaults suit github.com)."""

    #: transient failures (5xx, connection errors) are retried this many times
    max_retries: int = 4
    #: exponential backoff: base * 2**attempt seconds, capped, with jitter
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    #: total seconds one call may spend waiting for rate limits before RateLimitError
    max_rate_limit_wait: float = 90.0
    #: how often one call may be rate-limited in a row before giving up regardless of time
    max_rate_limit_retries: int = 5
    #: a secondary rate limit without Retry-After waits this long (GitHub: "at least a minute")
    secondary_default_wait: float = 60.0
    #: requests in flight at once per installation (GitHub's guidance: avoid concurrency)
    concurrency_per_installation: int = 8
    #: installation tokens are refreshed this long before their `expires_at`
    token_refresh_margin: float = 300.0
    #: the App JWT lives this long (GitHub's maximum is 600 s; iat is back-dated 60 s)
    jwt_lifetime: float = 540.0
    #: bytes of conditional-request (ETag) cache, across all installations
    etag_cache_bytes: int = 64 << 20
    #: a single response bigger than this is not kept in the ETag cache
    etag_max_entry_bytes: int = 4 << 20
    #: total seconds for one HTTP exchange
    request_timeout: float = 30.0
