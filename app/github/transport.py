"""One HTTP exchange with GitHub, made robust: conditional requests, retries, rate limits,
and a concurrency bound per installation.

`Transport` is gidgethub's aiohttp adapter with `_request` routed through
`RequestPolicy.exchange`, which

- adds `If-None-Match` / `If-Modified-Since` to a GET it has a cached response for, and
  answers a 304 from the cache (GitHub does not count a 304 against the rate limit). The
  cache is keyed by (installation, URL, Accept): one installation never sees another's
  responses. It is one LRU bounded in bytes for the whole process; content-addressed git
  objects (blobs, trees, commits, tags by SHA) are not kept in it.
- waits out rate limits: `Retry-After` first (secondary limits), then `x-ratelimit-reset`
  when `x-ratelimit-remaining` is 0 (primary), then a default for a secondary limit without
  either; it also waits *before* sending when the last response said the quota is spent.
  Waiting is bounded per call (`max_rate_limit_wait`); past that it raises `RateLimitError`
  with the delay, so a job can be rescheduled instead of holding a worker.
- retries 5xx and connection failures with exponential backoff and jitter, then raises
  `ServerError` / `TransportError`;
- turns every other error status into the `app.github.errors` tree, so gidgethub only ever
  sees successful responses;
- holds a per-installation `asyncio.Semaphore` only while a request is in flight (never
  while sleeping).

The clock, sleep and random source are injected, so tests run rate limits and backoff
without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import random
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
import gidgethub.aiohttp
from cachetools import LRUCache
from multidict import CIMultiDict, CIMultiDictProxy

from app.github.context import log_adapter
from app.github.errors import (
    GitHubError,
    RateLimitError,
    TransportError,
    UnexpectedResponseError,
    error_for_status,
)
from app.github.settings import ClientPolicy

log = log_adapter("manifold.github")

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
Response = tuple[int, Mapping[str, str], bytes]
Send = Callable[[str, str, Mapping[str, str], bytes], Awaitable[Response]]

RETRY_STATUSES = frozenset({500, 502, 503, 504})
#: content-addressed git objects never change: not worth a place in the ETag cache (the
#: fragment source keeps them, by SHA, in its own object cache)
IMMUTABLE = re.compile(
    r"/git/(?:blobs|trees|commits|tags)/[0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?(?:[?#]|$)"
)
_TRANSIENT = (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, asyncio.TimeoutError)

# A request that GitHub may have applied although no answer arrived must not be repeated
# blindly when repeating it would not be idempotent (appending check-run annotations):
# inside `single_attempt()`, a 5xx or a lost connection raises at once, so that the caller
# can find out what GitHub applied. Rate limits are still waited out: GitHub applies nothing
# then.
_SINGLE_ATTEMPT: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "manifold_github_single_attempt", default=False
)


@contextlib.contextmanager
def single_attempt() -> Iterator[None]:
    token = _SINGLE_ATTEMPT.set(True)
    try:
        yield
    finally:
        _SINGLE_ATTEMPT.reset(token)


@dataclass(slots=True)
class RequestStats:
    """What the client did, for tests, benchmarks and metrics."""

    requests: int = 0  # HTTP exchanges sent
    not_modified: int = 0  # 304s answered from the ETag cache
    retries: int = 0  # transient failures retried
    rate_limited: int = 0  # rate-limit responses (or spent quotas) waited out
    waited: float = 0.0  # seconds slept for backoff and rate limits
    by_partition: Counter[str] = field(default_factory=Counter)

    def snapshot(self) -> dict[str, float]:
        return {
            "requests": self.requests,
            "not_modified": self.not_modified,
            "retries": self.retries,
            "rate_limited": self.rate_limited,
            "waited": self.waited,
        }


@dataclass(frozen=True, slots=True)
class _Cached:
    etag: str | None
    last_modified: str | None
    headers: tuple[tuple[str, str], ...]
    body: bytes


class ConditionalCache:
    """Responses kept for conditional GETs: an LRU bounded in bytes."""

    def __init__(self, max_bytes: int, max_entry_bytes: int) -> None:
        self._max_entry = max_entry_bytes
        self._entries: LRUCache[tuple[str, str, str], _Cached] = LRUCache(
            maxsize=max(max_bytes, 1), getsizeof=lambda entry: len(entry.body) + 256
        )

    def get(self, key: tuple[str, str, str]) -> _Cached | None:
        return self._entries.get(key)

    def put(self, key: tuple[str, str, str], entry: _Cached) -> None:
        if len(entry.body) + 256 <= min(self._max_entry, self._entries.maxsize):
            self._entries[key] = entry

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> float:
        return self._entries.currsize


@dataclass(slots=True)
class Partition:
    """Per-installation state: the concurrency bound and the last known quota."""

    key: str
    semaphore: asyncio.Semaphore
    remaining: int | None = None
    reset_at: float | None = None
    in_flight: int = 0
    max_in_flight: int = 0


@dataclass(frozen=True, slots=True)
class RateLimitHit:
    kind: str  # primary | secondary
    wait: float
    reset_at: float | None


def parse_retry_after(value: str, now: float) -> float | None:
    """`Retry-After` as seconds: delta-seconds or an HTTP date."""
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


def classify_rate_limit(
    status: int, headers: Mapping[str, str], body: bytes, now: float, default_wait: float
) -> RateLimitHit | None:
    """Whether a response is a rate limit, and how long GitHub asks us to wait."""
    if status not in (403, 429):
        return None
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        seconds = parse_retry_after(retry_after, now)
        if seconds is not None:
            return RateLimitHit("secondary", seconds, None)
    if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset"):
        try:
            reset_at = float(headers["x-ratelimit-reset"])
        except ValueError:
            reset_at = None
        if reset_at is not None:
            # one extra second: the reset header has whole-second resolution
            return RateLimitHit("primary", max(0.0, reset_at - now) + 1.0, reset_at)
    message = _message(body).lower()
    if status == 429 or "secondary rate limit" in message or "abuse" in message:
        return RateLimitHit("secondary", default_wait, None)
    return None


def _message(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    return str(data.get("message") or "") if isinstance(data, dict) else ""


def _decode(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


class RequestPolicy:
    """The robustness rules every `Transport` shares (one per process, per App)."""

    def __init__(
        self,
        policy: ClientPolicy,
        *,
        clock: Clock,
        sleep: Sleep,
        rng: random.Random,
        stats: RequestStats | None = None,
    ) -> None:
        self.policy = policy
        self.clock = clock
        self._sleep = sleep
        self.rng = rng
        self.stats = stats or RequestStats()
        self.cache = ConditionalCache(policy.etag_cache_bytes, policy.etag_max_entry_bytes)
        self._partitions: dict[str, Partition] = {}

    def partition(self, key: str) -> Partition:
        found = self._partitions.get(key)
        if found is None:
            found = Partition(key, asyncio.Semaphore(self.policy.concurrency_per_installation))
            self._partitions[key] = found
        return found

    async def sleep(self, seconds: float) -> None:
        self.stats.waited += seconds
        await self._sleep(seconds)

    def backoff(self, attempt: int) -> float:
        ceiling = min(self.policy.backoff_cap, self.policy.backoff_base * (2.0**attempt))
        return ceiling * self.rng.uniform(0.5, 1.0)

    async def exchange(
        self,
        partition: Partition,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        send: Send,
    ) -> Response:
        request_headers = dict(headers)
        key = (partition.key, url, request_headers.get("accept", ""))
        cached = self.cache.get(key) if method == "GET" else None
        if cached is not None:
            if cached.etag:
                request_headers["if-none-match"] = cached.etag
            if cached.last_modified:
                request_headers["if-modified-since"] = cached.last_modified
        attempt = 0
        limited = 0
        waited = 0.0
        max_retries = 0 if _SINGLE_ATTEMPT.get() else self.policy.max_retries
        while True:
            waited += await self._wait_for_quota(partition, method, url, waited)
            try:
                async with partition.semaphore:
                    partition.in_flight += 1
                    partition.max_in_flight = max(partition.max_in_flight, partition.in_flight)
                    self.stats.requests += 1
                    self.stats.by_partition[partition.key] += 1
                    try:
                        status, response_headers, data = await send(
                            method, url, request_headers, body
                        )
                    finally:
                        partition.in_flight -= 1
            except _TRANSIENT as exc:
                if attempt >= max_retries:
                    raise TransportError(
                        f"no response from GitHub after {attempt + 1} attempts: {exc!r}",
                        method=method,
                        url=url,
                    ) from exc
                delay = self.backoff(attempt)
                attempt += 1
                self.stats.retries += 1
                log.warning("%s %s: %r; retry %d in %.1fs", method, url, exc, attempt, delay)
                await self.sleep(delay)
                continue
            self._note_quota(partition, response_headers)
            log.debug(
                "%s %s -> %d (remaining %s)",
                method,
                url,
                status,
                response_headers.get("x-ratelimit-remaining", "?"),
            )
            if status == 304 and cached is not None:
                self.stats.not_modified += 1
                merged = CIMultiDict(cached.headers)
                for name in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
                    if name in response_headers:
                        merged[name] = response_headers[name]
                return 200, CIMultiDictProxy(merged), cached.body
            hit = classify_rate_limit(
                status, response_headers, data, self.clock(), self._secondary_wait(limited)
            )
            if hit is not None:
                limited += 1
                if (
                    waited + hit.wait > self.policy.max_rate_limit_wait
                    or limited > self.policy.max_rate_limit_retries
                ):
                    raise RateLimitError(
                        f"{hit.kind} rate limit: GitHub asks to wait {hit.wait:.0f}s, more than "
                        f"this call's budget ({self.policy.max_rate_limit_wait:.0f}s)",
                        kind=hit.kind,
                        reset_at=hit.reset_at,
                        delay=hit.wait,
                        status=status,
                        method=method,
                        url=url,
                        request_id=response_headers.get("x-github-request-id"),
                    )
                self.stats.rate_limited += 1
                log.info("%s %s: %s rate limit, waiting %.1fs", method, url, hit.kind, hit.wait)
                waited += hit.wait
                await self.sleep(hit.wait)
                continue
            if status in RETRY_STATUSES:
                if attempt >= max_retries:
                    raise self._error(status, response_headers, data, method, url)
                delay = self.backoff(attempt)
                retry_after = parse_retry_after(
                    response_headers.get("retry-after", ""), self.clock()
                )
                if retry_after is not None:
                    delay = max(delay, min(retry_after, self.policy.backoff_cap))
                attempt += 1
                self.stats.retries += 1
                log.warning("%s %s -> %d; retry %d in %.1fs", method, url, status, attempt, delay)
                await self.sleep(delay)
                continue
            if status >= 300:
                raise self._error(status, response_headers, data, method, url)
            if method == "GET" and status == 200 and not IMMUTABLE.search(url):
                etag = response_headers.get("etag")
                last_modified = response_headers.get("last-modified")
                if etag or last_modified:
                    self.cache.put(
                        key, _Cached(etag, last_modified, tuple(response_headers.items()), data)
                    )
            return status, response_headers, data

    def _secondary_wait(self, limited: int) -> float:
        # GitHub: without Retry-After wait at least a minute, longer each time it repeats
        return self.policy.secondary_default_wait * (2.0**limited)

    async def _wait_for_quota(
        self, partition: Partition, method: str, url: str, waited: float
    ) -> float:
        if partition.remaining != 0 or partition.reset_at is None:
            return 0.0
        wait = partition.reset_at - self.clock() + 1.0
        if wait <= 0:
            partition.remaining = None
            return 0.0
        if waited + wait > self.policy.max_rate_limit_wait:
            raise RateLimitError(
                f"primary rate limit spent until {partition.reset_at:.0f} ({wait:.0f}s), more than "
                f"this call's budget ({self.policy.max_rate_limit_wait:.0f}s)",
                kind="primary",
                reset_at=partition.reset_at,
                delay=wait,
                method=method,
                url=url,
            )
        self.stats.rate_limited += 1
        log.info("%s %s: quota spent, waiting %.1fs for the reset", method, url, wait)
        await self.sleep(wait)
        partition.remaining = None
        return wait

    @staticmethod
    def _note_quota(partition: Partition, headers: Mapping[str, str]) -> None:
        remaining, reset = headers.get("x-ratelimit-remaining"), headers.get("x-ratelimit-reset")
        if remaining is None or reset is None:
            return
        try:
            partition.remaining, partition.reset_at = int(remaining), float(reset)
        except ValueError:
            return

    @staticmethod
    def _error(
        status: int, headers: Mapping[str, str], data: bytes, method: str, url: str
    ) -> GitHubError:
        if 300 <= status < 400:
            return UnexpectedResponseError(
                f"unexpected redirect or conditional response {status}",
                status=status,
                method=method,
                url=url,
            )
        return error_for_status(
            status,
            _decode(data),
            method=method,
            url=url,
            request_id=headers.get("x-github-request-id"),
        )


class Transport(gidgethub.aiohttp.GitHubAPI):
    """gidgethub's aiohttp adapter, each exchange routed through a `RequestPolicy`."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        requester: str,
        *,
        base_url: str,
        policy: RequestPolicy,
        partition: Partition,
    ) -> None:
        super().__init__(session, requester, base_url=base_url)
        self.policy = policy
        self.partition = partition
        self._timeout = aiohttp.ClientTimeout(total=policy.policy.request_timeout)

    async def _request(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes = b""
    ) -> Response:
        return await self.policy.exchange(self.partition, method, url, headers, body, self._send)

    async def _send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> Response:
        async with self._session.request(
            method, url, headers=headers, data=body, timeout=self._timeout
        ) as response:
            return response.status, response.headers, await response.read()

    async def sleep(self, seconds: float) -> None:
        await self.policy.sleep(seconds)
