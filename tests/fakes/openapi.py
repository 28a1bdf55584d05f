"""GitHub's OpenAPI description as a request checker for the fake GitHub.

Loads `api.github.com.json` (`@octokit/openapi`, OpenAPI 3.0.3) once per process, matches a
request's method and path to an operation (path templates, with GitHub's `x-multi-segment`
parameters such as `{path}` and `{ref}` allowed to span slashes), and checks its path
parameters, query parameters and JSON body against the operation's schemas with
`jsonschema`. Validators are built lazily per operation and cached; `$ref`s resolve inside
the one document. OpenAPI 3.0's `nullable: true` is honoured by wrapping every keyword of
Draft 7 (the closest draft): a `null` instance where the schema is nullable is valid.

The checker judges what a *client* sends, so it is strict where GitHub is lenient: an
unknown query parameter, a body on an operation that takes none, or a wrong content type is
a violation.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft7Validator, ValidationError, validators
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

ROOT_URI = "urn:github:api.github.com.json"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _nullable(keyword: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    def check(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if instance is None and isinstance(schema, dict) and schema.get("nullable") is True:
            return iter(())
        return iter(keyword(validator, value, instance, schema) or ())

    return check


OpenAPISchemaValidator: Any = validators.extend(
    Draft7Validator,
    {name: _nullable(fn) for name, fn in Draft7Validator.VALIDATORS.items()},
)


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    location: str
    required: bool
    pointer: str
    schema_type: str | None
    multi_segment: bool


@dataclass(slots=True)
class Operation:
    method: str
    template: str
    operation_id: str
    pointer: str
    parameters: dict[tuple[str, str], Parameter]
    body_required: bool
    body_media_types: dict[str, str]  # media type -> JSON pointer of its schema
    _validators: dict[str, Validator] = field(default_factory=dict)

    @property
    def route(self) -> str:
        return f"{self.method} {self.template}"


@dataclass(frozen=True, slots=True)
class _Route:
    template: str
    regex: re.Pattern[str]
    names: tuple[str, ...]
    literal_segments: int
    greedy: int


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


class OpenAPISpec:
    """Route matching and request validation for one OpenAPI document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        resource: Resource[Any] = DRAFT7.create_resource(document)
        self.registry: Registry[Any] = Registry().with_resource(ROOT_URI, resource)
        self._lock = threading.Lock()
        self._operations: dict[tuple[str, str], Operation] = {}
        self._routes_by_len: dict[int, list[_Route]] = {}
        self._greedy_routes: list[_Route] = []
        for template, item in document["paths"].items():
            route = self._compile(template, item)
            if route.greedy:
                self._greedy_routes.append(route)
            else:
                self._routes_by_len.setdefault(template.count("/"), []).append(route)

    @classmethod
    def load(cls, path: Path) -> OpenAPISpec:
        return _load(str(path))

    # -- routing ---------------------------------------------------------------------------

    def _param(self, raw: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in raw:
            return dict(self.resolve_pointer(raw["$ref"].removeprefix("#")))
        return raw

    def resolve_pointer(self, pointer: str) -> Any:
        node: Any = self.document
        for token in pointer.lstrip("/").split("/"):
            if token:
                node = node[token.replace("~1", "/").replace("~0", "~")]
        return node

    def _compile(self, template: str, item: dict[str, Any]) -> _Route:
        multi: set[str] = set()
        for method, op in item.items():
            if method not in _METHODS:
                continue
            for raw in [*item.get("parameters", []), *op.get("parameters", [])]:
                param = self._param(raw)
                if param.get("in") == "path" and param.get("x-multi-segment"):
                    multi.add(param["name"])
        pattern, names, literals, greedy = "", [], 0, 0
        for segment in template.strip("/").split("/"):
            match = re.fullmatch(r"\{([^}]+)\}", segment)
            if match:
                names.append(match.group(1))
                if match.group(1) in multi:
                    pattern += "/(.+)"
                    greedy += 1
                else:
                    pattern += "/([^/]+)"
            else:
                pattern += "/" + re.escape(segment)
                literals += 1
        return _Route(template, re.compile(pattern), tuple(names), literals, greedy)

    def match(self, method: str, raw_path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation for `method raw_path` and its decoded path parameters, if any."""
        path = "/" + raw_path.strip("/") if raw_path != "/" else "/"
        candidates: list[tuple[_Route, tuple[str, ...]]] = []
        for route in [*self._routes_by_len.get(path.count("/"), ()), *self._greedy_routes]:
            found = route.regex.fullmatch(path)
            if found:
                candidates.append((route, found.groups()))
        candidates.sort(key=lambda c: (-c[0].literal_segments, c[0].greedy))
        for route, values in candidates:
            op = self.operation(method, route.template)
            if op is not None:
                return op, {n: unquote(v) for n, v in zip(route.names, values, strict=True)}
        return None

    def operation(self, method: str, template: str) -> Operation | None:
        key = (method.upper(), template)
        with self._lock:
            if key in self._operations:
                return self._operations[key]
            item = self.document["paths"].get(template, {})
            raw = item.get(method.lower())
            if raw is None:
                return None
            pointer = f"/paths/{_escape(template)}/{method.lower()}"
            params: dict[tuple[str, str], Parameter] = {}
            for index, spec in enumerate([*item.get("parameters", []), *raw.get("parameters", [])]):
                own = index >= len(item.get("parameters", []))
                where = (
                    f"{pointer}/parameters/{index - len(item.get('parameters', []))}"
                    if own
                    else f"/paths/{_escape(template)}/parameters/{index}"
                )
                if "$ref" in spec:
                    where = spec["$ref"].removeprefix("#")
                param = self._param(spec)
                params[(param["in"], param["name"])] = Parameter(
                    name=param["name"],
                    location=param["in"],
                    required=bool(param.get("required")),
                    pointer=where + "/schema",
                    schema_type=(param.get("schema") or {}).get("type"),
                    multi_segment=bool(param.get("x-multi-segment")),
                )
            body = raw.get("requestBody")
            body_pointer = f"{pointer}/requestBody"
            if body is not None and "$ref" in body:
                body_pointer = body["$ref"].removeprefix("#")
                body = self.resolve_pointer(body_pointer)
            media = {
                mt: f"{body_pointer}/content/{_escape(mt)}/schema"
                for mt, content in (body or {}).get("content", {}).items()
                if "schema" in content
            }
            op = Operation(
                method=method.upper(),
                template=template,
                operation_id=raw.get("operationId", ""),
                pointer=pointer,
                parameters=params,
                body_required=bool((body or {}).get("required")),
                body_media_types=media,
            )
            self._operations[key] = op
            return op

    # -- validation ------------------------------------------------------------------------

    def validator(self, op: Operation, pointer: str) -> Validator:
        with self._lock:
            found = op._validators.get(pointer)
            if found is None:
                found = OpenAPISchemaValidator(
                    {"$ref": f"{ROOT_URI}#{pointer}"}, registry=self.registry
                )
                op._validators[pointer] = found
            return found

    def validate(
        self,
        op: Operation,
        path_params: Mapping[str, str],
        query: Mapping[str, list[str]],
        content_type: str | None,
        body: bytes,
    ) -> list[str]:
        """Every way the request breaks the operation's contract (empty: valid)."""
        problems: list[str] = []
        for (location, name), param in op.parameters.items():
            if location == "path":
                if name not in path_params:
                    problems.append(f"path parameter `{name}` is missing")
                else:
                    problems += self._check_value(op, param, [path_params[name]])
            elif location == "query":
                if name in query:
                    problems += self._check_value(op, param, query[name])
                elif param.required:
                    problems.append(f"required query parameter `{name}` is missing")
        known = {name for (location, name) in op.parameters if location == "query"}
        for name in sorted(set(query) - known):
            problems.append(f"unknown query parameter `{name}`")
        problems += self._check_body(op, content_type, body)
        return problems

    def _check_value(self, op: Operation, param: Parameter, raw: list[str]) -> list[str]:
        schema_type = param.schema_type
        value: Any
        try:
            if schema_type == "array":
                value = [part for item in raw for part in item.split(",")]
            elif len(raw) != 1:
                return [f"parameter `{param.name}` given {len(raw)} times"]
            elif schema_type == "integer":
                value = int(raw[0])
            elif schema_type == "number":
                value = float(raw[0])
            elif schema_type == "boolean":
                if raw[0] not in ("true", "false"):
                    return [f"parameter `{param.name}`: {raw[0]!r} is not true/false"]
                value = raw[0] == "true"
            else:
                value = raw[0]
        except ValueError:
            return [f"parameter `{param.name}`: {raw[0]!r} is not an {schema_type}"]
        return [
            f"parameter `{param.name}`: {_describe(error)}"
            for error in self.validator(op, param.pointer).iter_errors(value)
        ]

    def _check_body(self, op: Operation, content_type: str | None, body: bytes) -> list[str]:
        if not body:
            if op.body_required:
                return ["the request body is required"]
            return []
        if not op.body_media_types:
            return [f"{op.route} takes no request body, got {len(body)} bytes"]
        media_type = (content_type or "").split(";")[0].strip().lower()
        if media_type not in op.body_media_types:
            return [f"content type {media_type!r} is not one of {sorted(op.body_media_types)}"]
        if media_type != "application/json":
            return []
        try:
            document = json.loads(body)
        except ValueError as exc:
            return [f"the request body is not JSON: {exc}"]
        errors = self.validator(op, op.body_media_types[media_type]).iter_errors(document)
        found = sorted(errors, key=lambda e: e.json_path)
        problems = [f"body {error.json_path}: {_describe(error)}" for error in found[:10]]
        if len(found) > 10:
            problems.append(f"... and {len(found) - 10} more body violations")
        return problems


def _describe(error: ValidationError, limit: int = 200) -> str:
    """The validator's message, or (when it quotes a huge instance) the rule it broke."""
    message = str(error.message)
    if len(message) <= limit:
        return message
    rule = f"{error.validator}: {error.validator_value!r}"
    return f"the value ({type(error.instance).__name__}) breaks `{rule[:limit]}`"


@cache
def _load(path: str) -> OpenAPISpec:
    with open(path, "rb") as handle:
        return OpenAPISpec(json.load(handle))
