"""A Go `text/template` subset evaluator for services.yaml values and `*.yaml.tpl` files.

Part of the pure core: parsing and executing take strings and data and return strings;
no I/O, and the process environment is never read (callers pass `env` in).

Modules, one concept each: `lexer` (tokens, trimming, comments), `literals` (Go literal
syntax), `nodes` (parse tree), `stream` (token lookahead for the parser), `expressions`
(pipelines, commands, operands), `parser` (statements and scopes), `values` (Go's view of
Python data, `%v` printing), `fields` (`.Name` lookup, `missingkey`), `gofmt`
(`Sprint`/`Sprintln`/`Quote`), `printf` (`Sprintf`), `callables` (function signatures),
`builtins` (Go's predefined functions), `funcs` (upstream's functions and dialects),
`execute` (the walker), `limits` (resource bounds), `errors`, and `template` (the
public entry points re-exported here).
"""

from .errors import TemplateError
from .fields import MissingKey
from .funcs import Dialect
from .limits import DEFAULT_LIMITS, Limits
from .template import (
    Template,
    contains_template,
    parse,
    parse_bool,
    render,
    render_when,
)

__all__ = [
    "DEFAULT_LIMITS",
    "Dialect",
    "Limits",
    "MissingKey",
    "Template",
    "TemplateError",
    "contains_template",
    "parse",
    "parse_bool",
    "render",
    "render_when",
]
