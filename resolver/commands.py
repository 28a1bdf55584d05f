"""The core's subcommands: `validate`, `preview`, `schema`.

Each handler takes the parsed arguments and returns the exit code; output goes to stdout,
usage problems to stderr with exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from resolver.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE

VALIDATE_FORMATS = ("text", "json", "github", "sarif")
PREVIEW_FORMATS = ("text", "json", "yaml", "markdown")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("manifold")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def register(sub: argparse._SubParsersAction[Any]) -> None:
    validate = sub.add_parser(
        "validate",
        help="validate services.yaml files (fragments by default)",
        description="Validate services.yaml files. Exit 0 valid, 1 invalid, 2 usage error.",
    )
    validate.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="files, directories (their services.yaml), globs, or - for standard input",
    )
    validate.add_argument("--format", choices=VALIDATE_FORMATS, default="text")
    validate.add_argument(
        "--strict", action="store_true", help="treat warnings (e.g. unknown keys) as errors"
    )
    validate.add_argument(
        "--complete",
        action="store_true",
        help="check as a whole manifest: required keys, every reference resolvable",
    )
    validate.set_defaults(handler=run_validate)

    preview = sub.add_parser(
        "preview",
        help="compose a workspace into one effective services.yaml",
        description="Compose a workspace (a directory with workspace.yaml, or one repository "
        "with a services.yaml). Exit 0 valid, 1 invalid (the report is still printed), 2 usage.",
    )
    preview.add_argument(
        "workspace",
        metavar="WORKSPACE",
        help="a directory with workspace.yaml, a workspace.yaml, or a repository's services.yaml",
    )
    preview.add_argument("--env", default="ai", help="environment to plan (default: ai)")
    preview.add_argument("--slot", type=_positive_int, default=1, help="slot number (default: 1)")
    preview.add_argument("--role", default=None, help="docs role to select (default: every role)")
    preview.add_argument("--format", choices=PREVIEW_FORMATS, default="text")
    preview.set_defaults(handler=run_preview)

    schema = sub.add_parser("schema", help="print the JSON Schema of services.yaml for editors")
    schema.set_defaults(handler=run_schema)


def run_validate(args: argparse.Namespace) -> int:
    from resolver.files import NoFilesMatched, validate_paths
    from resolver.report.validation import render_validation_text

    try:
        run = validate_paths(args.paths, strict=args.strict, complete=args.complete)
    except NoFilesMatched as exc:
        print(f"manifold validate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    output: str
    if args.format == "json":
        output = json.dumps(run.to_json_dict(), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "github":
        from resolver.report.github import render_workflow_commands

        output = render_workflow_commands(run)
    elif args.format == "sarif":
        from resolver.report.sarif import render_sarif

        sarif: dict[str, Any] = render_sarif(run, tool_version=_version())
        output = json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"
    else:
        output = render_validation_text(run)
    sys.stdout.write(output)
    return EXIT_OK if run.valid else EXIT_INVALID


def run_preview(args: argparse.Namespace) -> int:
    from resolver.composition import (
        compose,
        load_workspace,
        render_effective_yaml,
        render_json,
        render_markdown,
        render_text,
    )

    path = Path(args.workspace)
    if not path.exists():
        print(f"manifold preview: `{args.workspace}` does not exist", file=sys.stderr)
        return EXIT_USAGE
    workspace, source = load_workspace(path)
    if any(d.reason == "workspace_not_found" for d in workspace.diagnostics):
        print(
            f"manifold preview: `{args.workspace}` holds neither a workspace.yaml nor a "
            "services.yaml",
            file=sys.stderr,
        )
        return EXIT_USAGE
    report = compose(workspace, source, env=args.env, slot=args.slot, role=args.role)
    renderers = {
        "json": render_json,
        "yaml": render_effective_yaml,
        "markdown": render_markdown,
        "text": render_text,
    }
    sys.stdout.write(renderers[args.format](report))
    return EXIT_OK if report.ok else EXIT_INVALID


def run_schema(args: argparse.Namespace) -> int:
    from resolver.schema import render_schema

    sys.stdout.write(render_schema())
    return EXIT_OK
