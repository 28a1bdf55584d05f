"""Prometheus metrics of the App, in a registry of its own (one per app instance).

A `Metrics` is created by the app factory (or the standalone worker) and handed to the code
that records; nothing registers into prometheus-client's global default registry, so two
apps in one process (tests) never collide. `/metrics` renders `Metrics.registry`.

Names fixed by DESIGN.md §4 (composition resolve latency, imported repos per run, docs refs
before/after dedup, deploy failures by repo alias) are declared here so there is one place
that names every series; the preview and deploy code records them. The GitHub client's own
counters (requests per installation, 304s, retries, rate-limit waits) and the last known
rate-limit quota are exported by `GitHubCollector`, read when `/metrics` is scraped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE_LATEST", "GitHubCollector", "GitHubStatsSource", "Metrics"]

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_JOB_BUCKETS = (0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0)


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        # -- intake ---------------------------------------------------------------------------
        self.webhook_deliveries = Counter(
            "manifold_webhook_deliveries",
            "Webhook deliveries answered, by event and result "
            "(queued, duplicate, ignored, pong, unauthorized, malformed, too_large, unavailable).",
            ["event", "result"],
            registry=r,
        )
        self.webhook_latency = Histogram(
            "manifold_webhook_intake_seconds",
            "Time from request to answer at the webhook intake.",
            ["result"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        # -- worker ---------------------------------------------------------------------------
        self.jobs_finished = Counter(
            "manifold_jobs_finished",
            "Job attempts finished by this process, by kind and result "
            "(succeeded, retry, dead, lease_lost, released).",
            ["kind", "result"],
            registry=r,
        )
        self.job_duration = Histogram(
            "manifold_job_duration_seconds",
            "Time one job attempt ran.",
            ["kind"],
            buckets=_JOB_BUCKETS,
            registry=r,
        )
        self.jobs_running = Gauge(
            "manifold_jobs_running", "Jobs this process is running now.", registry=r
        )
        self.queue_jobs = Gauge(
            "manifold_queue_jobs",
            "Jobs in the durable queue by queue and status (sampled by the worker).",
            ["queue", "status"],
            registry=r,
        )
        # -- bindings -------------------------------------------------------------------------
        self.binding_refreshes = Counter(
            "manifold_binding_refreshes",
            "Project-root refreshes from a repository's services.yaml, by result "
            "(changed, unchanged, not_root, skipped, invalid).",
            ["result"],
            registry=r,
        )
        self.bindings_rejected = Counter(
            "manifold_bindings_rejected",
            "Repositories a root's spec.repositories names but Manifold did not bind, by reason.",
            ["reason"],
            registry=r,
        )
        # -- DESIGN.md §4 ---------------------------------------------------------------------
        self.composition_resolve_seconds = Histogram(
            "manifold_composition_resolve_seconds",
            "Composition resolve latency.",
            buckets=_JOB_BUCKETS,
            registry=r,
        )
        self.composition_imported_repositories = Histogram(
            "manifold_composition_imported_repositories",
            "Imported repositories per composition run.",
            buckets=(1, 2, 3, 5, 10, 20, 50, 100, 200),
            registry=r,
        )
        self.docs_refs = Histogram(
            "manifold_docs_refs",
            "Documentation references per docs graph, before and after de-duplication.",
            ["stage"],
            buckets=(0, 1, 2, 4, 8, 16, 32, 64, 128),
            registry=r,
        )
        self.deploy_failures = Counter(
            "manifold_deploy_failures",
            "Deploy failures by repository alias.",
            ["repository"],
            registry=r,
        )
        # -- previews -------------------------------------------------------------------------
        self.previews = Counter(
            "manifold_previews",
            "Preview jobs by kind and outcome (created, unchanged, replaced, resumed: the "
            "check run; skipped: nothing to preview).",
            ["kind", "outcome"],
            registry=r,
        )
        self.commands = Counter(
            "manifold_commands",
            "Slash-commands answered, by command and result "
            "(ran, denied, help, usage_error, nothing_to_compose).",
            ["command", "result"],
            registry=r,
        )
        self._github_watched = False

    def watch_github(self, github: GitHubStatsSource) -> None:
        """Export the GitHub client's request counters and last known rate-limit quota
        (read at scrape time). Idempotent: the first client watched is the one exported."""
        if not self._github_watched:
            self.registry.register(GitHubCollector(github))
            self._github_watched = True

    def render(self) -> bytes:
        return generate_latest(self.registry)


# -- the GitHub client, read at scrape time -------------------------------------------------------


class _Stats(Protocol):
    @property
    def not_modified(self) -> int: ...
    @property
    def retries(self) -> int: ...
    @property
    def rate_limited(self) -> int: ...
    @property
    def by_partition(self) -> Mapping[str, int]: ...


class _Quota(Protocol):
    @property
    def remaining(self) -> int | None: ...


class _Policy(Protocol):
    def partition(self, key: str) -> _Quota: ...


class GitHubStatsSource(Protocol):
    """What `GitHubApp` offers (`app.github.client`); a protocol, so metrics import no client."""

    @property
    def stats(self) -> _Stats: ...

    @property
    def requests(self) -> _Policy: ...


class GitHubCollector(Collector):
    def __init__(self, github: GitHubStatsSource) -> None:
        self.github = github

    def collect(self) -> Iterator[Metric]:
        stats = self.github.stats
        calls = CounterMetricFamily(
            "manifold_github_requests",
            "HTTP requests sent to GitHub, by installation (`app`: as the App itself).",
            labels=["installation"],
        )
        remaining = GaugeMetricFamily(
            "manifold_github_rate_limit_remaining",
            "Requests left in the primary rate limit, as GitHub last reported it.",
            labels=["installation"],
        )
        for key, count in sorted(stats.by_partition.items()):
            installation = key.removeprefix("installation:")
            calls.add_metric([installation], count)
            quota = self.github.requests.partition(key).remaining
            if quota is not None:
                remaining.add_metric([installation], quota)
        yield calls
        yield remaining
        for name, value, text in (
            ("not_modified", stats.not_modified, "GETs answered 304 from the ETag cache."),
            ("retries", stats.retries, "GitHub requests retried after a transient failure."),
            ("rate_limited", stats.rate_limited, "Rate-limit waits of the GitHub client."),
        ):
            family = CounterMetricFamily(f"manifold_github_{name}", text)
            family.add_metric([], value)
            yield family
