"""Statement parser: the template's text and actions into a checked parse tree.

Owns the statement grammar of Go `text/template/parse`: text, actions, `if`/`else if`/
`with`/`else with`/`range`/`else`/`end`, `break`/`continue` (only inside `range`), and
variable scopes that end at `{{end}}`. `else if` chains are parsed iteratively so long
chains do not count as nesting. Named templates (`define`/`template`/`block`) are
rejected. Pipelines are parsed by `expressions`. Executes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .callables import FuncSpec
from .expressions import ExpressionParser
from .lexer import Kind, Token
from .limits import Limits
from .nodes import (
    ActionNode,
    Branch,
    BreakNode,
    ContinueNode,
    IfNode,
    Node,
    RangeNode,
    TextNode,
)

_NAMED_TEMPLATES = {Kind.DEFINE, Kind.TEMPLATE, Kind.BLOCK}


@dataclass(frozen=True, slots=True)
class _End:
    offset: int


@dataclass(frozen=True, slots=True)
class _Else:
    offset: int
    chained: Token | None  # the pending `if`/`with` of `{{else if ...}}`


class Parser(ExpressionParser):
    """Parses one template text; raises `TemplateError` at the first problem."""

    def __init__(self, text: str, name: str, funcs: Mapping[str, FuncSpec], limits: Limits) -> None:
        super().__init__(text, name, funcs, limits)
        self._range_depth = 0

    def parse(self) -> tuple[Node, ...]:
        nodes: list[Node] = []
        while self._peek().kind is not Kind.EOF:
            node = self._text_or_action()
            if isinstance(node, _End):
                raise self._error("unexpected {{end}}: nothing to close", node.offset)
            if isinstance(node, _Else):
                raise self._error(
                    "unexpected {{else}} outside {{if}}/{{with}}/{{range}}", node.offset
                )
            nodes.append(node)
        return tuple(nodes)

    def _text_or_action(self) -> Node | _End | _Else:
        token = self._next_non_space()
        if token.kind is Kind.TEXT:
            return TextNode(token.offset, token.value)
        if token.kind is Kind.LEFT_DELIM:
            return self._action(token)
        raise self._unexpected(token, "input")

    def _item_list(self, opener: Token) -> tuple[tuple[Node, ...], _End | _Else]:
        nodes: list[Node] = []
        while self._peek_non_space().kind is not Kind.EOF:
            node = self._text_or_action()
            if isinstance(node, _End | _Else):
                return tuple(nodes), node
            nodes.append(node)
        raise self._error(f"unclosed {{{{{opener.value}}}}}: missing {{{{end}}}}", opener.offset)

    def _action(self, delim: Token) -> Node | _End | _Else:
        token = self._next_non_space()
        kind = token.kind
        if kind in _NAMED_TEMPLATES:
            raise self._error(
                f"{{{{{token.value}}}}} is not supported: named templates are not available",
                token.offset,
            )
        if kind is Kind.ELSE:
            peek = self._peek_non_space()
            if peek.kind in (Kind.IF, Kind.WITH):
                return _Else(token.offset, peek)
            self._expect(Kind.RIGHT_DELIM, "{{else}}")
            return _Else(token.offset, None)
        if kind is Kind.END:
            self._expect(Kind.RIGHT_DELIM, "{{end}}")
            return _End(token.offset)
        if kind in (Kind.IF, Kind.WITH):
            return self._if_control(token)
        if kind is Kind.RANGE:
            return self._range_control(token)
        if kind in (Kind.BREAK, Kind.CONTINUE):
            self._expect(Kind.RIGHT_DELIM, f"{{{{{token.value}}}}}")
            if not self._range_depth:
                raise self._error(f"{{{{{token.value}}}}} outside {{{{range}}}}", token.offset)
            return BreakNode(token.offset) if kind is Kind.BREAK else ContinueNode(token.offset)
        self._backup()
        return ActionNode(delim.offset, self._pipeline("command", Kind.RIGHT_DELIM))

    def _if_control(self, opener: Token) -> IfNode:
        is_with = opener.kind is Kind.WITH
        context = opener.value
        mark = len(self._vars)
        self._enter(opener.offset)
        branches: list[Branch] = []
        else_body: tuple[Node, ...] | None = None
        keyword = opener
        while True:
            pipe = self._pipeline(context, Kind.RIGHT_DELIM)
            body, next_node = self._item_list(keyword)
            branches.append(Branch(pipe, body))
            if isinstance(next_node, _End):
                break
            chained = next_node.chained
            if chained is not None:
                if chained.kind is not opener.kind:
                    raise self._error(
                        f"{{{{else {chained.value}}}}} cannot continue a {{{{{context}}}}} "
                        f"chain; write {{{{else}}}}{{{{{chained.value} ...}}}}",
                        chained.offset,
                    )
                keyword = self._next_non_space()
                continue
            else_body, last = self._item_list(keyword)
            if not isinstance(last, _End):
                raise self._error("expected {{end}}; found a second {{else}}", last.offset)
            break
        del self._vars[mark:]
        self._leave()
        return IfNode(opener.offset, is_with, tuple(branches), else_body)

    def _range_control(self, opener: Token) -> RangeNode:
        mark = len(self._vars)
        self._enter(opener.offset)
        pipe = self._pipeline("range", Kind.RIGHT_DELIM)
        self._range_depth += 1
        body, next_node = self._item_list(opener)
        self._range_depth -= 1
        else_body: tuple[Node, ...] | None = None
        if isinstance(next_node, _Else):
            if next_node.chained is not None:
                raise self._error(
                    f"{{{{else {next_node.chained.value}}}}} is not allowed in {{{{range}}}}",
                    next_node.chained.offset,
                )
            else_body, last = self._item_list(opener)
            if not isinstance(last, _End):
                raise self._error("expected {{end}}; found a second {{else}}", last.offset)
        del self._vars[mark:]
        self._leave()
        return RangeNode(opener.offset, pipe, body, else_body)
