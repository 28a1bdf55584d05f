"""The App's settings: every `MANIFOLD_*` environment variable, read once at start-up.

`load_settings()` is called by the CLI (`manifold serve`, `manifold worker`) and the result is
passed into the app factory and the worker; nothing reads the environment at import time or
later. Problems are `SettingsError`s whose message names the variable, so the CLI can print
it and exit 2.

    MANIFOLD_WEBHOOK_SECRET           comma-separated; every one is accepted (rotation)
    MANIFOLD_DATABASE_URL             default sqlite+aiosqlite:///./manifold.db
    MANIFOLD_AUTO_MIGRATE             migrate at start-up (default: SQLite yes, PostgreSQL no)
    MANIFOLD_GITHUB_APP_ID            the App's id
    MANIFOLD_GITHUB_PRIVATE_KEY       the App's PEM private key, or
    MANIFOLD_GITHUB_PRIVATE_KEY_PATH  a file holding it
    MANIFOLD_GITHUB_API_URL           default https://api.github.com (GHES: https://HOST/api/v3)
    MANIFOLD_WORKER_CONCURRENCY       jobs one worker runs at once (default 4)
    MANIFOLD_MAX_BODY_BYTES           webhook body cap (default 25 MiB, GitHub's own cap)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.store.engine import DEFAULT_DATABASE_URL, normalize_database_url

ENV_PREFIX = "MANIFOLD_"
DEFAULT_GITHUB_API_URL = "https://api.github.com"
GITHUB_MAX_PAYLOAD = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB


class SettingsError(Exception):
    """The environment does not describe a usable configuration; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="ignore", frozen=True, case_sensitive=False
    )

    webhook_secret: Annotated[tuple[SecretStr, ...], NoDecode] = ()
    database_url: str = Field(default=DEFAULT_DATABASE_URL, repr=False)  # may hold a password
    auto_migrate: bool | None = None
    github_app_id: str | None = None
    github_private_key: SecretStr | None = None
    github_private_key_path: Path | None = None
    github_api_url: str = DEFAULT_GITHUB_API_URL
    worker_concurrency: int = Field(default=4, ge=1, le=256)
    max_body_bytes: int = Field(default=GITHUB_MAX_PAYLOAD, ge=1024)
    # How long a request may wait for the database before answering 503.
    database_timeout_seconds: float = Field(default=10.0, gt=0)

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _split_secrets(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        value = value.strip() or DEFAULT_DATABASE_URL
        normalize_database_url(value)  # raises for a URL Manifold cannot use
        return value

    @field_validator("github_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        value = value.strip().rstrip("/") or DEFAULT_GITHUB_API_URL
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL, e.g. https://ghe.example.com/api/v3")
        return value

    @field_validator("github_app_id", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    # -- derived -----------------------------------------------------------------------------

    @property
    def webhook_secrets(self) -> tuple[str, ...]:
        return tuple(secret.get_secret_value() for secret in self.webhook_secret)

    def private_key(self) -> str:
        """The App's PEM key, from the variable or the file; `SettingsError` if neither works."""
        if self.github_private_key is not None:
            key = self.github_private_key.get_secret_value()
            # Keys pasted into one-line env files often carry literal "\n".
            return key.replace("\\n", "\n") if "\\n" in key and "\n" not in key else key
        if self.github_private_key_path is not None:
            try:
                return self.github_private_key_path.read_text()
            except OSError as exc:
                raise SettingsError(
                    f"{ENV_PREFIX}GITHUB_PRIVATE_KEY_PATH: cannot read"
                    f" {self.github_private_key_path}: {exc.strerror or exc}"
                ) from exc
        raise SettingsError(
            f"{ENV_PREFIX}GITHUB_PRIVATE_KEY or {ENV_PREFIX}GITHUB_PRIVATE_KEY_PATH is not set:"
            " the App's private key (PEM) is needed to talk to GitHub"
        )

    # -- start-up checks ---------------------------------------------------------------------

    def require_webhook_secrets(self) -> None:
        if not self.webhook_secrets:
            raise SettingsError(
                f"{ENV_PREFIX}WEBHOOK_SECRET is not set: set it to the App's webhook secret"
                " (several, comma-separated, while rotating)"
            )

    def require_github_app(self) -> None:
        if not self.github_app_id:
            raise SettingsError(
                f"{ENV_PREFIX}GITHUB_APP_ID is not set: the App's id (GitHub shows it on the"
                " App's settings page)"
            )
        if self.github_private_key is not None and self.github_private_key_path is not None:
            raise SettingsError(
                f"set {ENV_PREFIX}GITHUB_PRIVATE_KEY or {ENV_PREFIX}GITHUB_PRIVATE_KEY_PATH,"
                " not both"
            )
        self.private_key()


def load_settings(**overrides: Any) -> Settings:
    """Settings from the process environment (`MANIFOLD_*`), plus explicit overrides.

    Raises `SettingsError` with the variable's name when a value is invalid.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{ENV_PREFIX}{field.upper()}: {message}")
        raise SettingsError("; ".join(problems)) from None
