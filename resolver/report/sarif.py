"""SARIF 2.1.0 rendering of a validation run, for GitHub code scanning and other SARIF viewers.

One run, tool `manifold`; one rule per distinct `reason`; one result per diagnostic with the
file's path relative to the checkout root (`uriBaseId: %SRCROOT%`), the 1-based line and
column when known, and Manifold's own fields (`code`, `pointer`, `hint`, ...) in the result's
property bag. A problem in another repository of a composition (a diagnostic with a
`repository` alias) has no physical location: its place goes into the property bag.
The output is deterministic: rules sorted by id, results in report order, no timestamps or
machine paths.

Pure: returns a JSON-ready dict; serialising and writing it is the caller's job.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from resolver.diagnostics import Diagnostic
from resolver.report.validation import ValidationRun

__all__ = ["SARIF_SCHEMA_URI", "SARIF_VERSION", "SRCROOT", "artifact_location", "render_sarif"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
TOOL_NAME = "manifold"


def artifact_location(path: str) -> dict[str, str]:
    """A repo-relative path as a relative URI against `%SRCROOT%`; an absolute one as `file:`."""
    posix = path.replace("\\", "/")
    if PurePosixPath(posix).is_absolute():
        return {"uri": "file://" + quote(posix, safe="/")}
    return {"uri": quote(posix, safe="/"), "uriBaseId": SRCROOT}


def _rule_description(reason: str) -> str:
    return reason.replace("_", " ").capitalize()


def _result(diagnostic: Diagnostic, rule_index: int) -> dict[str, Any]:
    text = diagnostic.message
    if diagnostic.repository:
        text = f"{diagnostic.location()}: {text}"
    if diagnostic.hint:
        text += f"\nhint: {diagnostic.hint}"
    result: dict[str, Any] = {
        "ruleId": diagnostic.reason,
        "ruleIndex": rule_index,
        "level": "error" if diagnostic.is_error else "warning",
        "message": {"text": text},
    }
    properties: dict[str, Any] = {"code": diagnostic.code.value}
    if diagnostic.path and not diagnostic.repository:
        physical: dict[str, Any] = {"artifactLocation": artifact_location(diagnostic.path)}
        if diagnostic.line > 0:
            region: dict[str, int] = {"startLine": diagnostic.line}
            if diagnostic.column > 0:
                region["startColumn"] = diagnostic.column
            physical["region"] = region
        result["locations"] = [{"physicalLocation": physical}]
    elif diagnostic.repository:
        # a file of another repository: `%SRCROOT%` would name the wrong file, so the place
        # is kept in the property bag (and in the message) instead of a physical location
        properties["repository"] = diagnostic.repository
        if diagnostic.path:
            properties["path"] = diagnostic.path
        if diagnostic.line > 0:
            properties["line"] = diagnostic.line
            properties["column"] = diagnostic.column
    if diagnostic.pointer:
        properties["pointer"] = diagnostic.pointer
    if diagnostic.hint:
        properties["hint"] = diagnostic.hint
    if diagnostic.chain:
        properties["chain"] = list(diagnostic.chain)
    result["properties"] = properties
    return result


def render_sarif(
    run: ValidationRun,
    *,
    tool_version: str,
    information_uri: str | None = None,
    extra: Iterable[Diagnostic] = (),
) -> dict[str, Any]:
    """The SARIF log of a validation run (then `extra`, e.g. composition problems)."""
    diagnostics = [d for result in run.files for d in result.diagnostics]
    diagnostics.extend(extra)
    reasons = sorted({d.reason for d in diagnostics})
    index = {reason: i for i, reason in enumerate(reasons)}
    rules = [
        {
            "id": reason,
            "name": "".join(part.capitalize() for part in reason.split("_")),
            "shortDescription": {"text": _rule_description(reason)},
        }
        for reason in reasons
    ]
    driver: dict[str, Any] = {"name": TOOL_NAME, "version": tool_version}
    if information_uri:
        driver["informationUri"] = information_uri
    driver["rules"] = rules
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "columnKind": "unicodeCodePoints",
                "results": [_result(d, index[d.reason]) for d in diagnostics],
            }
        ],
    }
