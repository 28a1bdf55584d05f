"""Validate one services.yaml: parse → dialect → structure → rules, all diagnostics at once.

`check_file` is what `manifold validate`, the Action and the composition engine call for a
single file. The result carries the document in the typed shape (unknown keys kept, nothing
defaulted) with positions, so later stages can keep pointing at lines. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from resolver import gotemplate
from resolver.diagnostics import Code, Diagnostic, Severity, sort_diagnostics
from resolver.dialect import CODEXCTL_FLAT, UNKNOWN, to_typed
from resolver.semantics import check_semantics
from resolver.structure import check_structure
from resolver.yamlload import Limits, ParsedYaml, Position, nearest_position, parse_yaml


@dataclass(slots=True)
class FragmentCheck:
    path: str
    dialect: str
    document: dict[str, Any] | None
    text: str = ""
    positions: dict[str, Position] = field(default_factory=dict)
    key_positions: dict[str, Position] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    def position(self, pointer: str, *, key: bool = False) -> Position:
        return nearest_position(self.positions, self.key_positions, pointer, key, bool(self.text))


def validate_fragment(
    parsed: ParsedYaml,
    *,
    strict: bool = False,
    complete: bool = False,
    repo_path: str = "",
) -> FragmentCheck:
    """Check one parsed file (a fragment by default; `complete` for a whole manifest)."""
    diagnostics = list(parsed.diagnostics)
    if parsed.value is None and diagnostics:
        return _finish(
            FragmentCheck(parsed.path, UNKNOWN, None, parsed.text, diagnostics=diagnostics), strict
        )
    typed = to_typed(parsed)
    check = FragmentCheck(
        parsed.path,
        typed.dialect,
        typed.document,
        parsed.text,
        typed.positions,
        typed.key_positions,
        diagnostics + typed.diagnostics,
    )
    if typed.document is None:
        return _finish(check, strict)

    def locate(pointer: str, key: bool) -> Position:
        return check.position(pointer, key=key)

    check.diagnostics.extend(check_structure(typed.document, parsed.path, locate))
    flat = typed.dialect == CODEXCTL_FLAT
    if flat:
        check.diagnostics.extend(_check_whole_file_template(parsed))
    check.diagnostics.extend(
        check_semantics(
            typed.document,
            parsed.path,
            locate,
            repo_path=repo_path,
            complete=complete,
            check_templates=not flat,
        )
    )
    return _finish(check, strict)


def check_file(
    data: bytes | str,
    path: str,
    *,
    strict: bool = False,
    complete: bool = False,
    repo_path: str = "",
    limits: Limits | None = None,
) -> FragmentCheck:
    return validate_fragment(
        parse_yaml(data, path, limits), strict=strict, complete=complete, repo_path=repo_path
    )


def _check_whole_file_template(parsed: ParsedYaml) -> list[Diagnostic]:
    """The flat format is one template (variables are defined in comments): parse it whole."""
    try:
        gotemplate.parse(parsed.text, parsed.path, dialect="codexctl")
    except gotemplate.TemplateError as exc:
        return [
            Diagnostic(
                code=Code.INVALID_ARGUMENT,
                reason="template_syntax",
                message=f"template error: {exc.message}",
                path=parsed.path,
                line=exc.line,
                column=exc.column,
                hint="fix the Go template action at this position",
            )
        ]
    return []


def _finish(check: FragmentCheck, strict: bool) -> FragmentCheck:
    diagnostics = check.diagnostics
    if strict:
        diagnostics = [
            replace(d, severity=Severity.ERROR, message=d.message + " (an error under --strict)")
            if not d.is_error
            else d
            for d in diagnostics
        ]
    check.diagnostics = sort_diagnostics(diagnostics)
    return check
