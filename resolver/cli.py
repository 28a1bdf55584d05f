"""The `manifold` command line.

The core's own subcommands (`validate`, `preview`, `schema`) live here. Outer layers
(`app`, `deploy`) contribute theirs through the `manifold.commands` entry-point group: each
entry point names a `register(subparsers)` function. Discovering them by name keeps this
module free of static imports of the outer layers (enforced by import-linter).

Exit codes: 0 success, 1 the input is invalid, 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import Any

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

Register = Callable[["argparse._SubParsersAction[Any]"], None]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="manifold",
        description="Compose one deterministic effective services.yaml from many repositories.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    from resolver import commands

    commands.register(sub)
    for ep in sorted(entry_points(group="manifold.commands"), key=lambda e: e.name):
        try:
            register: Register = ep.load()
        except Exception as exc:  # a broken optional layer must not take `validate` down
            print(f"manifold: the `{ep.name}` commands are unavailable: {exc}", file=sys.stderr)
            continue
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except BrokenPipeError:  # e.g. `manifold preview ... | head`
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
