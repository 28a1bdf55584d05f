"""Prometheus metrics of the App, in a registry of its own (one per app instance).

A `Metrics` is created by the app factory (or the standalone worker) and handed to the code
that records; nothing registers into prometheus-client's global default registry, so two
apps in one process (tests) never collide. `/metrics` renders `Metrics.registry`.

Names fixed by DESIGN.md §4 (composition resolve latency, imported repos per run, docs refs
before/after dedup, deploy failures by repo alias) are declared here so there is one place
that names every series; the preview and deploy code records them.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

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

    def render(self) -> bytes:
        return generate_latest(self.registry)
