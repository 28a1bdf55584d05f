"""Manifold's GitHub client: the only code that talks HTTP to GitHub.

Owns App authentication (JWT, installation tokens), conditional requests (ETag cache per
installation), rate limits, retries and the per-installation concurrency bound
(`transport`), typed request helpers (`client`), the error tree (`errors`), the delivery id
in log lines (`context`) and the GitHub-backed `AsyncFragmentSource` (`source`).

Settings are passed in (`GitHubSettings`), never read from the environment here, and the
one `aiohttp.ClientSession` of the process is passed in too. Nothing here parses webhooks or
decides what to do about them: that is the routers' job.
"""

from app.github.client import GitHubApp, InstallationClient
from app.github.context import DeliveryFilter, current_delivery, delivery_context
from app.github.errors import (
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    ForbiddenError,
    GitHubError,
    NotFoundError,
    PermanentError,
    RateLimitError,
    ServerError,
    TemporaryError,
    TransportError,
    UnexpectedResponseError,
    UnprocessableError,
)
from app.github.models import (
    Annotation,
    CheckRun,
    CheckRunOutput,
    Installation,
    IssueComment,
    Permission,
    Repository,
)
from app.github.settings import ClientPolicy, GitHubSettings
from app.github.source import GitHubRepository, GitHubSource, ObjectCache
from app.github.transport import RequestStats

__all__ = [
    "Annotation",
    "AuthenticationError",
    "CheckRun",
    "CheckRunOutput",
    "ClientPolicy",
    "ConfigurationError",
    "ConflictError",
    "DeliveryFilter",
    "ForbiddenError",
    "GitHubApp",
    "GitHubError",
    "GitHubRepository",
    "GitHubSettings",
    "GitHubSource",
    "Installation",
    "InstallationClient",
    "IssueComment",
    "NotFoundError",
    "ObjectCache",
    "PermanentError",
    "Permission",
    "RateLimitError",
    "Repository",
    "RequestStats",
    "ServerError",
    "TemporaryError",
    "TransportError",
    "UnexpectedResponseError",
    "UnprocessableError",
    "current_delivery",
    "delivery_context",
]
