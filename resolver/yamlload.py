"""Bytes → plain data with a position for every value, safely.

Owns reading one YAML file the way upstream's Go loader (yaml.v3) sees it, with guards that
upstream lacks: a size limit, bounded nesting, a budget for alias expansion (billion laughs),
duplicate keys, binary and non-UTF-8 content. Every problem becomes a `Diagnostic` with a
location; nothing here raises on bad input.

The document is built from libyaml's event stream (the C parser when available) with an
explicit stack, so nesting depth and alias expansion are checked as the data is built and a
hostile file is abandoned early instead of being expanded. Scalars resolve by the YAML 1.2
core schema, as yaml.v3 does when decoding into `any`: `yes`/`no`/`on`/`off` and timestamps
stay strings.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from resolver.diagnostics import Code, Diagnostic, Severity, join_pointer

try:  # the C parser; pure-Python fallback keeps the core importable everywhere
    _Loader: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

DEFAULT_MAX_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = 64
    #: values in the built document, counting every copy an alias makes
    max_nodes: int = 250_000


Position = tuple[int, int]


@dataclass(slots=True)
class ParsedYaml:
    """One file's data, its text and where each value came from.

    `positions` maps a JSON pointer to the 1-based (line, column) of its value;
    `key_positions` maps it to the key that names it (for mapping members).
    """

    path: str
    text: str
    value: Any
    positions: dict[str, Position] = field(default_factory=dict)
    key_positions: dict[str, Position] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    def position(self, pointer: str, *, key: bool = False) -> Position:
        """The position of `pointer`, or of its nearest known ancestor."""
        return nearest_position(self.positions, self.key_positions, pointer, key, bool(self.text))


def nearest_position(
    positions: dict[str, Position],
    key_positions: dict[str, Position],
    pointer: str,
    key: bool,
    has_text: bool,
) -> Position:
    """Where `pointer` is (its key, with `key`), else its nearest known ancestor; the start of
    the file for the document itself, (0, 0) when the file is empty."""
    table = key_positions if key else positions
    probe = pointer
    while True:
        if probe in table:
            return table[probe]
        if key and probe in positions:
            return positions[probe]
        if not probe:
            return (1, 1) if has_text else (0, 0)
        probe = probe.rsplit("/", 1)[0]


class _Abort(Exception):
    """Stop building: the document broke a hard limit (already diagnosed)."""


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT_DEC = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_INT_OCT_GO = re.compile(r"[-+]?0[0-7]+")
_INT_OCT = re.compile(r"0o[0-7]+")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+")
_INT_BIN = re.compile(r"0b[01]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")

_TAG = "tag:yaml.org,2002:"


def copy_data(value: Any) -> Any:
    """A deep copy of plain YAML data (dicts, lists, scalars): several times faster than
    `copy.deepcopy`, which must handle any object graph."""
    if isinstance(value, dict):
        return {k: copy_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_data(v) for v in value]
    return value


def resolve_plain_scalar(raw: str) -> Any:
    """Type of an unquoted scalar under the YAML 1.2 core schema (yaml.v3's reading)."""
    if raw in _NULLS:
        return None
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    if _INT_DEC.fullmatch(raw):
        return int(raw, 10)
    if _INT_OCT_GO.fullmatch(raw):  # Go's ParseInt(base 0): a leading 0 means octal
        sign = -1 if raw[0] == "-" else 1
        return sign * int(raw.lstrip("+-")[1:], 8)
    if _INT_BIN.fullmatch(raw):
        return int(raw[2:], 2)
    if _INT_OCT.fullmatch(raw):
        return int(raw[2:], 8)
    if _INT_HEX.fullmatch(raw):
        return int(raw[2:], 16)
    if _FLOAT.fullmatch(raw) and any(c.isdigit() for c in raw):
        return float(raw)
    if _INF.fullmatch(raw):
        return -math.inf if raw.startswith("-") else math.inf
    if _NAN.fullmatch(raw):
        return math.nan
    return raw


@dataclass(slots=True)
class _Frame:
    container: dict[str, Any] | list[Any]
    pointer: str
    anchor: str | None
    line: int
    column: int
    size: int = 1
    # mapping state
    key: str | None = None
    key_pos: Position = (0, 0)
    key_is_merge: bool = False
    merges: list[Any] = field(default_factory=list)
    explicit_keys: set[str] = field(default_factory=set)
    # a collection used as a mapping key: built, then rejected
    discard: bool = False


class _Builder:
    def __init__(self, parsed: ParsedYaml, limits: Limits) -> None:
        self.parsed = parsed
        self.limits = limits
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0
        self.documents: list[Any] = []
        self.template_positions: set[Position] = set()
        self.text = ""

    # -- diagnostics ---------------------------------------------------------------------
    def error(
        self,
        reason: str,
        message: str,
        pos: Position,
        pointer: str = "",
        hint: str = "",
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.parsed.diagnostics.append(
            Diagnostic(
                code=Code.INVALID_ARGUMENT,
                reason=reason,
                message=message,
                severity=severity,
                path=self.parsed.path,
                line=pos[0],
                column=pos[1],
                pointer=pointer,
                hint=hint,
            )
        )

    def unquoted_template(self, pos: Position) -> None:
        """`key: {{ .Env }}` parses as a flow mapping; say what really happened."""
        # `{{ x }}` is a mapping whose only key is the mapping `{ x }` one column further
        self.template_positions.add((pos[0], pos[1] + 1))
        self.error(
            "unquoted_template",
            "an unquoted Go template: YAML reads `{{ ... }}` as a mapping, not as text",
            pos,
            self.child_pointer(),
            hint="quote the whole value: '{{ ... }}'",
        )

    def count(self, n: int, pos: Position) -> None:
        self.nodes += n
        if self.nodes > self.limits.max_nodes:
            self.error(
                "document_too_large",
                f"the document expands to more than {self.limits.max_nodes} values "
                "(aliases count once per use)",
                pos,
                hint="this looks like an alias bomb; write the values out or use fewer aliases",
            )
            raise _Abort

    # -- building --------------------------------------------------------------------------
    def child_pointer(self) -> str:
        if not self.stack:
            return ""
        top = self.stack[-1]
        if isinstance(top.container, list):
            return join_pointer(top.pointer, len(top.container))
        return join_pointer(top.pointer, top.key or "")

    def expecting_key(self) -> bool:
        top = self.stack[-1] if self.stack else None
        return top is not None and isinstance(top.container, dict) and top.key is None

    def deliver(self, value: Any, pos: Position, size: int, *, raw_key: str | None = None) -> None:
        """Place a finished value into the enclosing collection (or the document)."""
        if not self.stack:
            self.documents.append(value)
            return
        top = self.stack[-1]
        if top.discard:
            return
        if isinstance(top.container, list):
            pointer = join_pointer(top.pointer, len(top.container))
            self.parsed.positions.setdefault(pointer, pos)
            top.container.append(value)
            top.size += size
            return
        if top.key is None:  # this value is a key
            if raw_key is None and pos in self.template_positions:
                top.key = f"<template at {pos[0]}:{pos[1]}>"
            elif raw_key is None:
                self.error(
                    "complex_key",
                    "a mapping key must be a plain value, not a list or mapping",
                    pos,
                    top.pointer,
                )
                top.key = f"<complex key at {pos[0]}:{pos[1]}>"
            else:
                top.key = raw_key
            top.key_pos = pos
            top.key_is_merge = raw_key == "<<"
            return
        key = top.key
        top.key = None
        if top.key_is_merge:
            top.key_is_merge = False
            top.merges.append((value, pos))
            return
        pointer = join_pointer(top.pointer, key)
        if key in top.explicit_keys:
            first = self.parsed.key_positions.get(pointer, (0, 0))
            self.error(
                "duplicate_key",
                f"key `{key}` appears twice in the same mapping",
                top.key_pos,
                pointer,
                hint=f"remove one of them (the first is at line {first[0]})",
            )
        else:
            self.parsed.key_positions[pointer] = top.key_pos
            self.parsed.positions[pointer] = pos
        top.explicit_keys.add(key)
        top.container[key] = value
        top.size += size

    def start(
        self, container: dict[str, Any] | list[Any], anchor: str | None, pos: Position
    ) -> None:
        discard = self.expecting_key() or bool(self.stack and self.stack[-1].discard)
        pointer = self.child_pointer() if not discard else self.stack[-1].pointer
        if len(self.stack) >= self.limits.max_depth:
            self.error(
                "nesting_too_deep",
                f"nesting is deeper than {self.limits.max_depth} levels",
                pos,
                pointer,
                hint="flatten the structure; services.yaml never needs this depth",
            )
            raise _Abort
        self.count(1, pos)
        self.stack.append(_Frame(container, pointer, anchor, pos[0], pos[1], discard=discard))

    def end(self) -> None:
        frame = self.stack.pop()
        if isinstance(frame.container, dict) and frame.merges:
            self.apply_merges(frame)
        if frame.anchor:
            self.anchors[frame.anchor] = (frame.container, frame.size)
        if frame.discard and self.stack and self.stack[-1].discard:
            return
        self.deliver(frame.container, (frame.line, frame.column), frame.size)

    def apply_merges(self, frame: _Frame) -> None:
        assert isinstance(frame.container, dict)
        for value, pos in frame.merges:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    self.error(
                        "invalid_merge",
                        "`<<` merges only mappings (or a list of mappings)",
                        pos,
                        frame.pointer,
                    )
                    continue
                for key, item in source.items():
                    if key not in frame.container:
                        frame.container[key] = copy_data(item)

    def scalar(self, event: Any) -> None:
        mark = event.start_mark
        pos = (mark.line + 1, mark.column + 1)
        raw: str = event.value
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            self.count(0, pos)
        top = self.stack[-1] if self.stack else None
        if top is not None and type(top.container) is dict and top.key is None:
            value: Any = raw  # a mapping key: kept as written (yaml.v3 into map[string]any)
        elif event.tag is None and not event.style and event.implicit[0]:
            value = resolve_plain_scalar(raw)  # the common case, inlined
        else:
            value = self.scalar_value(event, pos)
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)
        self.deliver(value, pos, 1, raw_key=raw)

    def scalar_value(self, event: Any, pos: Position) -> Any:
        tag: str | None = event.tag
        raw: str = event.value
        plain = event.implicit[0]
        if tag in (None, "!") and plain and not event.style:
            return resolve_plain_scalar(raw)
        if tag in (None, "!", _TAG + "str"):
            return raw
        if tag in (_TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null"):
            resolved = resolve_plain_scalar(raw)
            expected: dict[str, type | tuple[type, ...]] = {
                "int": int,
                "float": (int, float),
                "bool": bool,
                "null": type(None),
            }
            kind = tag.removeprefix(_TAG)
            if isinstance(resolved, expected[kind]) and not (
                kind == "int" and isinstance(resolved, bool)
            ):
                if kind == "float" and isinstance(resolved, int):
                    return float(resolved)
                return resolved
            self.error(
                "invalid_tag_value", f"`{raw}` is not a valid !!{kind}", pos, self.child_pointer()
            )
            return raw
        self.error(
            "unsupported_tag",
            f"tag `{tag}` is not supported; the value is read as a string",
            pos,
            self.child_pointer(),
            severity=Severity.WARNING,
        )
        return raw

    def alias(self, event: Any) -> None:
        pos = _mark_position(event.start_mark)
        name: str = event.anchor
        if name not in self.anchors:
            self.error(
                "undefined_alias",
                f"alias `*{name}` refers to no anchor defined before it",
                pos,
                self.child_pointer(),
                hint="define `&" + name + "` earlier in the file (an anchor cannot contain itself)",
            )
            self.deliver(None, pos, 1, raw_key=None if not self.expecting_key() else f"*{name}")
            return
        value, size = self.anchors[name]
        self.count(size, pos)
        copied = copy_data(value)
        raw_key = (
            value
            if isinstance(value, str)
            else (None if isinstance(value, dict | list) else str(value))
        )
        self.deliver(copied, pos, size, raw_key=raw_key)

    def mapping_start(self, event: Any) -> None:
        pos = _mark_position(event.start_mark)
        if self.text.startswith("{{", _mark_index(event.start_mark)):
            self.unquoted_template(pos)
        self.start({}, event.anchor, pos)

    def sequence_start(self, event: Any) -> None:
        self.start([], event.anchor, _mark_position(event.start_mark))

    def collection_end(self, event: Any) -> None:
        self.end()

    def document_start(self, event: Any) -> None:
        self.anchors = {}

    def run(self, text: str) -> None:
        self.text = text
        handlers: dict[type[Any], Any] = {
            yaml.ScalarEvent: self.scalar,
            yaml.MappingStartEvent: self.mapping_start,
            yaml.SequenceStartEvent: self.sequence_start,
            yaml.MappingEndEvent: self.collection_end,
            yaml.SequenceEndEvent: self.collection_end,
            yaml.AliasEvent: self.alias,
            yaml.DocumentStartEvent: self.document_start,
        }
        for event in yaml.parse(text, Loader=_Loader):
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)


def _mark_position(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)


def _mark_index(mark: Any) -> int:
    return int(mark.index) if mark is not None else -1


def _line_col(text_or_bytes: str | bytes, offset: int) -> Position:
    head = text_or_bytes[:offset]
    newline: Any = b"\n" if isinstance(head, bytes) else "\n"
    line = head.count(newline) + 1
    column = offset - (head.rfind(newline) + 1) + 1
    return line, column


def _merge_documents(docs: list[Any]) -> Any:
    """Several documents in one file deep-merge in order, as upstream's loader does."""
    merged: Any = None
    for doc in docs:
        if doc is None or doc == {}:
            continue
        if isinstance(merged, dict) and isinstance(doc, dict):
            merged = _deep_merge(merged, doc)
        else:
            merged = doc
    return merged


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(out.get(key), dict) and isinstance(value, dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def parse_yaml(data: bytes | str, path: str, limits: Limits | None = None) -> ParsedYaml:
    """Parse one file. Never raises on bad input: problems are in `.diagnostics`."""
    limits = limits or Limits()
    parsed = ParsedYaml(path=path, text="", value=None)

    def fail(reason: str, message: str, pos: Position, hint: str) -> ParsedYaml:
        parsed.diagnostics.append(
            Diagnostic(
                code=Code.INVALID_ARGUMENT,
                reason=reason,
                message=message,
                path=path,
                line=pos[0],
                column=pos[1],
                hint=hint,
            )
        )
        return parsed

    size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    if size > limits.max_bytes:
        return fail(
            "file_too_large",
            f"the file is larger than the limit of {limits.max_bytes} bytes",
            (0, 0),
            "split it with `spec.imports`, or raise the limit if this is intended",
        )
    if isinstance(data, bytes):
        nul = data.find(b"\x00")
        if nul >= 0:
            return fail(
                "binary_content",
                "the file contains a NUL byte: it is binary, not YAML text",
                _line_col(data, nul),
                "point at the services.yaml text file",
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return fail(
                "invalid_encoding",
                f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                _line_col(data, exc.start),
                "save the file as UTF-8",
            )
    else:
        text = data
        if "\x00" in text:
            return fail(
                "binary_content",
                "the file contains a NUL character: it is binary, not YAML text",
                _line_col(text, text.index("\x00")),
                "point at the services.yaml text file",
            )
    text = text.removeprefix("\ufeff")
    parsed.text = text
    builder = _Builder(parsed, limits)
    try:
        builder.run(text)
    except _Abort:
        parsed.value = None
        return parsed
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = exc.problem or exc.context or "malformed YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        return fail(
            "yaml_syntax",
            f"YAML syntax error: {problem}{context}",
            pos,
            "check indentation and quoting; templates with `{{` must be quoted",
        )
    except yaml.YAMLError as exc:  # reader errors: control characters and the like
        mark = getattr(exc, "position", None)
        return fail(
            "yaml_syntax", f"YAML error: {exc}", _line_col(text, mark) if mark else (0, 0), ""
        )
    except RecursionError:  # pragma: no cover - depth is bounded above
        return fail("nesting_too_deep", "nesting is too deep", (0, 0), "")
    parsed.value = _merge_documents(builder.documents)
    return parsed
