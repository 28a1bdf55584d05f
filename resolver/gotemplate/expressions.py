"""Expression grammar: pipelines, commands, operands and terms, checked as Go checks them.

Owns `$x :=` / `$x =` / `$i, $v :=` declarations, `|` pipelines (no literal after a pipe),
commands and their operands, field chains (`.A.B`, `$x.A`, `(pipe).A`), parenthesised
pipelines and literals, plus the parse-time checks on them: functions must exist (with a
"did you mean"), variables must be declared in scope. Statements live in `parser`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from .callables import FuncSpec
from .funcs import UNSUPPORTED
from .lexer import Kind, Token
from .limits import Limits
from .literals import parse_number, unquote_char, unquote_string
from .nodes import (
    BoolNode,
    ChainNode,
    CommandNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    NilNode,
    NumberNode,
    Operand,
    PipeNode,
    StringNode,
    VariableNode,
)
from .stream import TokenStream

_OPERAND_START = frozenset(
    {
        Kind.BOOL,
        Kind.CHAR_CONSTANT,
        Kind.DOT,
        Kind.FIELD,
        Kind.IDENTIFIER,
        Kind.NUMBER,
        Kind.NIL,
        Kind.RAW_STRING,
        Kind.STRING,
        Kind.VARIABLE,
        Kind.LEFT_PAREN,
    }
)
NOT_EXECUTABLE = (BoolNode, DotNode, NilNode, NumberNode, StringNode)


class ExpressionParser(TokenStream):
    """Parses pipelines; keeps the variables in scope for the statement parser."""

    def __init__(self, text: str, name: str, funcs: Mapping[str, FuncSpec], limits: Limits) -> None:
        super().__init__(text, name, limits)
        self.funcs = funcs
        self._vars: list[str] = ["$"]

    def _declarations(self, context: str) -> tuple[list[str], bool]:
        decls: list[str] = []
        while True:
            start = self._index
            variable = self._next_non_space()
            if variable.kind is not Kind.VARIABLE:
                self._index = start
                return decls, False
            following = self._peek_non_space()
            if following.kind in (Kind.ASSIGN, Kind.DECLARE):
                self._next_non_space()
                decls.append(variable.value)
                self._vars.append(variable.value)
                return decls, following.kind is Kind.ASSIGN
            if following.kind is Kind.CHAR and following.value == ",":
                self._next_non_space()
                decls.append(variable.value)
                self._vars.append(variable.value)
                if context == "range" and len(decls) < 2:
                    if self._peek_non_space().kind is Kind.VARIABLE:
                        continue
                    raise self._error("range can only initialize variables", following.offset)
                raise self._error(f"too many declarations in {context}", following.offset)
            self._index = start
            return decls, False

    def _pipeline(self, context: str, end: Kind) -> PipeNode:
        offset = self._peek_non_space().offset
        decls, is_assign = self._declarations(context)
        commands: list[CommandNode] = []
        while True:
            token = self._next_non_space()
            if token.kind is end:
                if not commands:
                    raise self._error(f"missing value for {context}", token.offset)
                for stage, command in enumerate(commands[1:], start=2):
                    if isinstance(command.args[0], NOT_EXECUTABLE):
                        raise self._error(
                            f"non executable command in pipeline stage {stage}", command.offset
                        )
                return PipeNode(offset, tuple(decls), is_assign, tuple(commands))
            if token.kind in _OPERAND_START:
                self._backup()
                commands.append(self._command())
                continue
            raise self._unexpected(token, context)

    def _command(self) -> CommandNode:
        offset = self._peek_non_space().offset
        args: list[Operand] = []
        while True:
            self._peek_non_space()
            operand = self._operand()
            if operand is not None:
                args.append(operand)
            token = self._next()
            if token.kind is Kind.SPACE:
                continue
            if token.kind in (Kind.RIGHT_DELIM, Kind.RIGHT_PAREN):
                self._backup()
            elif token.kind is not Kind.PIPE:
                raise self._unexpected(token, "operand")
            break
        if not args:
            raise self._error("empty command", offset)
        return CommandNode(offset, tuple(args))

    def _operand(self) -> Operand | None:
        node = self._term()
        if node is None:
            return None
        if self._peek().kind is not Kind.FIELD:
            return node
        names: list[str] = []
        while self._peek().kind is Kind.FIELD:
            names.append(self._next().value[1:])
        if isinstance(node, FieldNode):
            return FieldNode(node.offset, node.names + tuple(names))
        if isinstance(node, VariableNode):
            return VariableNode(node.offset, node.name, node.names + tuple(names))
        if isinstance(node, NOT_EXECUTABLE):
            raise self._error(f"unexpected . after term {self._term_text(node)}", node.offset)
        return ChainNode(node.offset, node, tuple(names))

    @staticmethod
    def _term_text(node: Operand) -> str:
        if isinstance(node, StringNode | NumberNode):
            return node.text
        if isinstance(node, BoolNode):
            return "true" if node.value else "false"
        return "nil" if isinstance(node, NilNode) else "."

    def _term(self) -> Operand | None:
        token = self._next_non_space()
        kind, offset = token.kind, token.offset
        if kind is Kind.IDENTIFIER:
            self._check_function(token)
            return IdentifierNode(offset, token.value)
        if kind is Kind.DOT:
            return DotNode(offset)
        if kind is Kind.NIL:
            return NilNode(offset)
        if kind is Kind.VARIABLE:
            if token.value not in self._vars:
                raise self._error(self._undefined_variable(token.value), offset)
            return VariableNode(offset, token.value)
        if kind is Kind.FIELD:
            return FieldNode(offset, (token.value[1:],))
        if kind is Kind.BOOL:
            return BoolNode(offset, token.value == "true")
        if kind in (Kind.NUMBER, Kind.CHAR_CONSTANT):
            try:
                if kind is Kind.CHAR_CONSTANT:
                    value: int | float = unquote_char(token.value)
                else:
                    value = parse_number(token.value)
            except ValueError as exc:
                raise self._error(str(exc), offset) from None
            return NumberNode(offset, value, token.value)
        if kind is Kind.LEFT_PAREN:
            self._enter(offset)
            pipe = self._pipeline("parenthesized pipeline", Kind.RIGHT_PAREN)
            self._leave()
            return pipe
        if kind in (Kind.STRING, Kind.RAW_STRING):
            try:
                text = unquote_string(token.value)
            except ValueError as exc:
                raise self._error(f"invalid string literal: {exc}", offset) from None
            return StringNode(offset, text, token.value)
        self._backup()
        return None

    def _check_function(self, token: Token) -> None:
        name = token.value
        if name in self.funcs:
            return
        if name in UNSUPPORTED:
            raise self._error(
                f'function "{name}" is not supported: {UNSUPPORTED[name]}', token.offset
            )
        message = f'function "{name}" not defined'
        close = difflib.get_close_matches(name, sorted(self.funcs), n=1)
        if not close:
            lowered = {f.lower(): f for f in self.funcs}
            close = [lowered[name.lower()]] if name.lower() in lowered else []
        if close:
            message += f'; did you mean "{close[0]}"?'
        raise self._error(message, token.offset)

    def _undefined_variable(self, name: str) -> str:
        message = f'undefined variable "{name}"'
        close = difflib.get_close_matches(name, sorted(set(self._vars)), n=1)
        if close:
            message += f'; did you mean "{close[0]}"?'
        return message
