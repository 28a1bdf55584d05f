"""Slash-commands in pull-request comments, parsed purely.

`parse_comment(body)` returns exactly one of: a `Command` to run, a `Reply` to post at once
(usage errors, "did you mean", help), or `Ignore` (the comment is not addressed to Manifold).
No I/O, no GitHub objects: who wrote the comment, whether it was edited and whether the
author may run commands are the router's business.

Grammar: the first line of the comment that starts with `/manifold` (quoted lines `>` and
fenced code blocks are skipped, so quoting someone's command does not run it again):

    /manifold preview
    /manifold plan [ENV] [SLOT]
    /manifold docs ROLE
    /manifold help
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Literal

PREFIX = "/manifold"
COMMANDS = ("preview", "plan", "docs", "help")
DEFAULT_ENV = "ai"
DEFAULT_SLOT = 1
MAX_SLOT = 10_000
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")

USAGE = """\
Usage:
- `/manifold preview` — compose this pull request's project again and update the check run
- `/manifold plan [ENV] [SLOT]` — the execution plan (defaults: environment `ai`, slot `1`)
- `/manifold docs ROLE` — the documentation sources for a role (e.g. `dev`, `sre`)
- `/manifold help` — this message"""


@dataclass(frozen=True, slots=True)
class Command:
    name: Literal["preview", "plan", "docs"]
    env: str = DEFAULT_ENV
    slot: int = DEFAULT_SLOT
    role: str | None = None
    #: the line as written, for acknowledgements and audit
    text: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Reply:
    body: str
    #: True for a usage error, False for help
    error: bool = True


@dataclass(frozen=True, slots=True)
class Ignore:
    reason: str = ""


ParseResult = Command | Reply | Ignore


def _command_lines(body: str) -> list[str]:
    lines: list[str] = []
    fenced = False
    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced or not line or line.startswith(">"):
            continue
        lines.append(line)
    return lines


def _near_prefix(word: str) -> bool:
    return word != PREFIX and difflib.SequenceMatcher(None, word, PREFIX).ratio() >= 0.8


def parse_comment(body: str) -> ParseResult:
    for line in _command_lines(body):
        words = line.split()
        first = words[0].lower()
        if first == PREFIX:
            return _parse_words(words[1:], line)
        if first.startswith("/") and _near_prefix(first):
            suggestion = " ".join([PREFIX, *words[1:]])
            return Reply(f"Unknown command `{words[0]}`. Did you mean `{suggestion}`?\n\n{USAGE}")
    return Ignore("no /manifold command")


def _usage_error(message: str) -> Reply:
    return Reply(f"{message}\n\n{USAGE}")


def _parse_words(args: list[str], line: str) -> ParseResult:
    if not args:
        return Reply(USAGE, error=False)
    name = args[0].lower()
    rest = args[1:]
    if name not in COMMANDS:
        close = difflib.get_close_matches(name, COMMANDS, n=1, cutoff=0.6)
        hint = f" Did you mean `{PREFIX} {close[0]}`?" if close else ""
        return _usage_error(f"Unknown command `{args[0]}`.{hint}")
    if name == "help":
        return Reply(USAGE, error=False)
    if name == "preview":
        if rest:
            return _usage_error("`preview` takes no arguments.")
        return Command("preview", text=line)
    if name == "docs":
        if len(rest) != 1:
            return _usage_error("`docs` takes exactly one role, e.g. `/manifold docs dev`.")
        role = rest[0].lower()
        if not _NAME.match(role):
            return _usage_error(f"`{rest[0]}` is not a role name.")
        return Command("docs", role=role, text=line)
    return _parse_plan(rest, line)


def _parse_plan(rest: list[str], line: str) -> ParseResult:
    if len(rest) > 2:
        return _usage_error("`plan` takes at most an environment and a slot.")
    env = DEFAULT_ENV
    slot = DEFAULT_SLOT
    if rest:
        if rest[0].isdigit() and len(rest) == 1:  # `/manifold plan 2` means slot 2 of `ai`
            rest = [DEFAULT_ENV, rest[0]]
        env = rest[0].lower()
        if not _NAME.match(env):
            return _usage_error(f"`{rest[0]}` is not an environment name.")
    if len(rest) == 2:
        if not rest[1].isdigit() or not 1 <= int(rest[1]) <= MAX_SLOT:
            return _usage_error(
                f"The slot must be a whole number from 1 to {MAX_SLOT}, not `{rest[1]}`."
            )
        slot = int(rest[1])
    return Command("plan", env=env, slot=slot, text=line)
