"""The public face of the engine: parse (cached), execute, render, and `when` helpers.

Owns `Template`, the parse cache (the same strings repeat thousands of times across a
composition), `render`, `contains_template`, Go's `strconv.ParseBool` and upstream's
`when` rule. Guarantees that nothing but `TemplateError` escapes to callers.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from .errors import Locator, TemplateError
from .execute import Executor
from .fields import MISSING_KEY_OPTIONS, MissingKey
from .funcs import DIALECTS, FUNCTIONS, Dialect, go_trim_space
from .limits import DEFAULT_LIMITS, Limits
from .nodes import Node
from .parser import Parser

_EMPTY_ENV: Mapping[str, str] = {}
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
_CACHE_SIZE = 4096
# Only short texts repeat thousands of times (services.yaml values); whole manifests are
# parsed per use so the cache cannot pin gigabytes of large templates.
_CACHE_MAX_TEXT = 64 * 1024


class Template:
    """A parsed template. Immutable and safe to share between threads and executions."""

    __slots__ = ("_locator", "_nodes", "dialect", "limits", "missing_key", "name", "text")

    def __init__(
        self,
        text: str,
        name: str,
        nodes: tuple[Node, ...],
        *,
        dialect: Dialect,
        missing_key: MissingKey,
        limits: Limits,
    ) -> None:
        self.text = text
        self.name = name
        self.dialect = dialect
        self.missing_key = missing_key
        self.limits = limits
        self._nodes = nodes
        self._locator = Locator(text, name)

    def __repr__(self) -> str:
        return f"Template(name={self.name!r}, dialect={self.dialect!r})"

    def execute(
        self,
        data: Mapping[str, Any] | object,
        env: Mapping[str, str] | None = None,
        *,
        limits: Limits | None = None,
    ) -> str:
        """Render with `data` as dot. `env` is what `envOr` reads (never `os.environ`).

        `data` is normally a mapping; a dataclass instance behaves like a Go struct
        (unknown fields are errors rather than `<no value>`).
        """
        executor = Executor(
            self._locator,
            FUNCTIONS[self.dialect],
            _EMPTY_ENV if env is None else env,
            limits or self.limits,
            self.missing_key,
        )
        try:
            return executor.run(self._nodes, data)
        except TemplateError:
            raise
        except RecursionError:
            raise self._locator.error("template is nested too deeply to execute", 0) from None
        except Exception as exc:  # the engine promises TemplateError only
            raise self._locator.error(
                f"internal error while executing: {type(exc).__name__}: {exc}", 0
            ) from exc


def parse(
    text: str,
    name: str = "template",
    *,
    dialect: Dialect = "kodex",
    missing_key: MissingKey = "default",
    limits: Limits = DEFAULT_LIMITS,
) -> Template:
    """Parse `text` (cached). Raises `TemplateError` with the line/column of the problem.

    `dialect` picks upstream's function table: `"kodex"` (ServiceStack files and
    `*.yaml.tpl` manifests, `trimPrefix PREFIX VALUE`) or `"codexctl"` (the flat
    services.yaml format, `trimPrefix VALUE PREFIX`). `missing_key` is Go's
    `missingkey=` option; upstream uses the default (`<no value>`).
    """
    if not isinstance(text, str):
        raise TemplateError(f"template must be a string, not {type(text).__name__}", name=name)
    if dialect not in DIALECTS:
        raise TemplateError(f"unknown dialect {dialect!r}; use one of {DIALECTS}", name=name)
    if missing_key not in MISSING_KEY_OPTIONS:
        raise TemplateError(
            f"unknown missing_key {missing_key!r}; use one of {MISSING_KEY_OPTIONS}", name=name
        )
    if len(text) > _CACHE_MAX_TEXT:
        return _parse(text, name, dialect, missing_key, limits)
    return _parse_cached(text, name, dialect, missing_key, limits)


def _parse(
    text: str, name: str, dialect: Dialect, missing_key: MissingKey, limits: Limits
) -> Template:
    parser = Parser(text, name, FUNCTIONS[dialect], limits)
    try:
        nodes = parser.parse()
    except TemplateError:
        raise
    except RecursionError:
        raise parser.locator.error("template is nested too deeply to parse", 0) from None
    except Exception as exc:  # the engine promises TemplateError only
        raise parser.locator.error(
            f"internal error while parsing: {type(exc).__name__}: {exc}", 0
        ) from exc
    return Template(text, name, nodes, dialect=dialect, missing_key=missing_key, limits=limits)


_parse_cached = lru_cache(maxsize=_CACHE_SIZE)(_parse)


def render(
    text: str,
    data: Mapping[str, Any] | object,
    env: Mapping[str, str] | None = None,
    *,
    name: str = "template",
    dialect: Dialect = "kodex",
) -> str:
    """Parse (cached) and execute in one call."""
    return parse(text, name, dialect=dialect).execute(data, env)


def contains_template(text: str) -> bool:
    """Whether `text` has a template action, i.e. would change when rendered."""
    return "{{" in text


def parse_bool(value: str) -> bool:
    """Go's `strconv.ParseBool`, exactly; `ValueError` for anything else."""
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"invalid syntax: ParseBool({value!r})")


def render_when(
    expr: str,
    data: Mapping[str, Any] | object,
    env: Mapping[str, str] | None = None,
    *,
    name: str = "when",
    dialect: Dialect = "kodex",
) -> bool:
    """Upstream's `when`: render, trim; empty means true; else `ParseBool` of the lowercase text.

    Upstream lower-cases before `ParseBool`, so `TRUE`, `True` and `tRuE` all count.
    A rendered value that is not a boolean raises `TemplateError` saying what it got.
    """
    rendered = go_trim_space(render(expr, data, env, name=name, dialect=dialect))
    if not rendered:
        return True
    try:
        return parse_bool(rendered.lower())
    except ValueError:
        shown = rendered if len(rendered) <= 80 else rendered[:80] + "..."
        raise TemplateError(
            f"when must render to a boolean (true/false, 1/0, t/f), got {shown!r}", name=name
        ) from None
