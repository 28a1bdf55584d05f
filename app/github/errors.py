"""The GitHub client's error tree: the retry policy is in the type.

    GitHubError                      every failure of a GitHub call
    ├── TemporaryError               may succeed later: retry the job (after `delay`, if set)
    │   ├── ServerError              5xx still failing after the client's own retries
    │   ├── TransportError           connection refused/reset, timeout, TLS failure
    │   └── RateLimitError           primary or secondary rate limit longer than the wait budget
    └── PermanentError               retrying the same call cannot help
        ├── ConfigurationError       the App's settings are unusable (bad private key, app id)
        ├── AuthenticationError      401: bad JWT, revoked or expired installation token
        ├── ForbiddenError           403 that is not a rate limit: the App lacks a permission
        ├── NotFoundError            404 / 410: no such object, or not visible to the installation
        ├── ConflictError            409: e.g. an empty repository has no git objects
        ├── UnprocessableError       422: GitHub rejected the request's content (`errors` kept)
        └── UnexpectedResponseError  any other status, or a body the client cannot read

Like kopf's `TemporaryError(delay=...)` / `PermanentError`: a job runner catches
`TemporaryError` and reschedules after `delay` (seconds, `None` = its own backoff), and marks
the job failed on `PermanentError`. The client has already retried transient failures and
waited out short rate limits before raising, so a `TemporaryError` means "not now".
"""

from __future__ import annotations

from typing import Any, ClassVar


class GitHubError(Exception):
    """A GitHub API call failed. `status` is the HTTP status (None: no response)."""

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str = "",
        url: str = "",
        request_id: str | None = None,
        documentation_url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.url = url
        self.request_id = request_id
        self.documentation_url = documentation_url

    def __str__(self) -> str:
        where = f" ({self.method} {self.url})" if self.method else ""
        status = f"{self.status} " if self.status is not None else ""
        return f"{status}{self.message}{where}"


class TemporaryError(GitHubError):
    """Retry later; `delay` (seconds) says when, if GitHub said so."""

    retryable = True

    def __init__(self, message: str, *, delay: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.delay = delay


class ServerError(TemporaryError):
    """GitHub answered 5xx on every attempt."""


class TransportError(TemporaryError):
    """No HTTP response: the connection failed or timed out."""


class RateLimitError(TemporaryError):
    """A rate limit that would take longer than the client's wait budget to clear.

    `kind` is `primary` (the hourly quota; `reset_at` is when it refills) or `secondary`
    (GitHub's abuse limits; `delay` comes from `Retry-After`).
    """

    def __init__(
        self, message: str, *, kind: str, reset_at: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.kind = kind
        self.reset_at = reset_at


class PermanentError(GitHubError):
    """Do not retry: the request, the App's permissions or the object is wrong."""


class ConfigurationError(PermanentError):
    """The App cannot authenticate with the settings it was given."""


class AuthenticationError(PermanentError):
    """401 Unauthorized."""


class ForbiddenError(PermanentError):
    """403 Forbidden (not a rate limit)."""


class NotFoundError(PermanentError):
    """404 Not Found or 410 Gone."""


class ConflictError(PermanentError):
    """409 Conflict."""


class UnprocessableError(PermanentError):
    """422 Unprocessable Entity; `errors` is GitHub's list of field errors."""

    def __init__(self, message: str, *, errors: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.errors = errors or []


class UnexpectedResponseError(PermanentError):
    """A status or body the client does not know how to handle."""


_BY_STATUS: dict[int, type[PermanentError]] = {
    401: AuthenticationError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    410: NotFoundError,
    422: UnprocessableError,
}


def error_for_status(
    status: int, body: Any, *, method: str, url: str, request_id: str | None
) -> GitHubError:
    """The error for a final (non-retried) error response; `body` is its decoded JSON, if any."""
    message = ""
    documentation_url = None
    errors: list[Any] | None = None
    if isinstance(body, dict):
        message = str(body.get("message") or "")
        documentation_url = body.get("documentation_url")
        if isinstance(body.get("errors"), list):
            errors = body["errors"]
    message = message or f"HTTP {status}"
    common: dict[str, Any] = {
        "status": status,
        "method": method,
        "url": url,
        "request_id": request_id,
        "documentation_url": documentation_url,
    }
    if status >= 500:
        return ServerError(message, **common)
    kind = _BY_STATUS.get(status, UnexpectedResponseError)
    if kind is UnprocessableError:
        return UnprocessableError(message, errors=errors, **common)
    return kind(message, **common)


__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "ForbiddenError",
    "GitHubError",
    "NotFoundError",
    "PermanentError",
    "RateLimitError",
    "ServerError",
    "TemporaryError",
    "TransportError",
    "UnexpectedResponseError",
    "UnprocessableError",
    "error_for_status",
]
