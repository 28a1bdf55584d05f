"""Executor: walks a parse tree against data and writes the output.

Owns Go `text/template` execution semantics: dot and `$`, variable scopes that end at
the enclosing `{{end}}`, `:=` versus `=`, pipelines passing the previous value as the
last argument, field chains on maps and dataclasses with the `missingkey` policy,
short-circuiting `and`/`or` that return the deciding value, `if`/`with`/`range`
(maps in key order, integers, `else`, `break`, `continue`), and printing values as
Go does (`<no value>` for a missing value). Enforces the execution `Limits`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .callables import ArgTypeError, CallContext, FuncError, FuncSpec, Param, coerce
from .errors import Locator, TemplateError
from .fields import FieldError, MissingKey, field_of
from .limits import Limits
from .nodes import (
    ActionNode,
    BoolNode,
    BreakNode,
    ChainNode,
    CommandNode,
    ContinueNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    IfNode,
    NilNode,
    Node,
    NumberNode,
    Operand,
    PipeNode,
    RangeNode,
    StringNode,
    TextNode,
    VariableNode,
    operand_text,
)
from .values import (
    MISSING,
    NO_VALUE,
    FormatBudgetError,
    Printer,
    go_type,
    is_list,
    is_true,
    sorted_items,
)


class _NoFinal:
    """No value is being piped into the command (distinct from a piped MISSING)."""

    __slots__ = ()


_NO_FINAL = _NoFinal()


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Executor:
    """One execution of one template; not reusable."""

    def __init__(
        self,
        locator: Locator,
        funcs: Mapping[str, FuncSpec],
        env: Mapping[str, str],
        limits: Limits,
        missing_key: MissingKey,
    ) -> None:
        self.locator = locator
        self.funcs = funcs
        self.limits = limits
        self.missing_key = missing_key
        self.context = CallContext(env, limits.max_output)
        self._out: list[str] = []
        self._size = 0
        self._steps = 0
        self._iterations = 0
        self._vars: list[list[object]] = []

    def run(self, nodes: tuple[Node, ...], data: object) -> str:
        self._vars = [["$", data]]
        self._walk_list(data, nodes)
        return "".join(self._out)

    # -- plumbing -------------------------------------------------------------------

    def _error(self, message: str, offset: int) -> TemplateError:
        return self.locator.error(message, offset)

    def _step(self, offset: int) -> None:
        self._steps += 1
        if self._steps > self.limits.max_steps:
            raise self._error(
                f"template execution exceeded {self.limits.max_steps} evaluation steps", offset
            )

    def _write(self, text: str, offset: int) -> None:
        self._size += len(text)
        if self._size > self.limits.max_output:
            raise self._error(
                f"output exceeds the {self.limits.max_output}-character limit", offset
            )
        self._out.append(text)

    def _print_value(self, value: object, offset: int) -> None:
        if value is MISSING or value is None:
            self._write(NO_VALUE, offset)
            return
        if isinstance(value, str):
            self._write(value, offset)
            return
        try:
            text = Printer(self.limits.max_output - self._size + 1).format(value)
        except FormatBudgetError as exc:
            raise self._error(f"cannot print value: {exc}", offset) from None
        self._write(text, offset)

    def _lookup_var(self, name: str, offset: int) -> list[object]:
        for entry in reversed(self._vars):
            if entry[0] == name:
                return entry
        raise self._error(f"undefined variable: {name}", offset)

    # -- statements -----------------------------------------------------------------

    def _walk_list(self, dot: object, nodes: tuple[Node, ...]) -> None:
        for node in nodes:
            self._walk(dot, node)

    def _walk(self, dot: object, node: Node) -> None:
        self._step(node.offset)
        if isinstance(node, TextNode):
            self._write(node.text, node.offset)
        elif isinstance(node, ActionNode):
            value = self._eval_pipeline(dot, node.pipe)
            if not node.pipe.decls:
                self._print_value(value, node.offset)
        elif isinstance(node, IfNode):
            self._walk_if(dot, node)
        elif isinstance(node, RangeNode):
            self._walk_range(dot, node)
        elif isinstance(node, BreakNode):
            raise _Break
        else:
            assert isinstance(node, ContinueNode)
            raise _Continue

    def _walk_if(self, dot: object, node: IfNode) -> None:
        mark = len(self._vars)
        try:
            for branch in node.branches:
                value = self._eval_pipeline(dot, branch.pipe)
                if is_true(value):
                    self._walk_list(value if node.is_with else dot, branch.body)
                    return
            if node.else_body is not None:
                self._walk_list(dot, node.else_body)
        finally:
            del self._vars[mark:]

    def _range_items(self, node: RangeNode, value: object) -> Iterable[tuple[object, object]]:
        if is_list(value):
            return enumerate(value)  # type: ignore[arg-type]
        if isinstance(value, Mapping):
            return sorted_items(value)
        if isinstance(value, int) and not isinstance(value, bool):
            if len(node.pipe.decls) > 1:
                raise self._error(
                    f"can't use {value} to iterate over more than one variable", node.offset
                )
            return ((MISSING, i) for i in range(value))
        if value is MISSING or value is None:
            return ()
        raise self._error(f"range can't iterate over {go_type(value)} value", node.offset)

    def _walk_range(self, dot: object, node: RangeNode) -> None:
        mark = len(self._vars)
        try:
            value = self._eval_pipeline(dot, node.pipe)
            decls = node.pipe.decls
            inner = len(self._vars)
            ran = False
            for index, elem in self._range_items(node, value):
                ran = True
                self._iterations += 1
                if self._iterations > self.limits.max_range_iterations:
                    raise self._error(
                        f"range iterations exceeded the {self.limits.max_range_iterations} limit",
                        node.offset,
                    )
                if node.pipe.is_assign:
                    if len(decls) > 1:
                        self._lookup_var(decls[0], node.offset)[1] = index
                        self._lookup_var(decls[1], node.offset)[1] = elem
                    elif decls:
                        self._lookup_var(decls[0], node.offset)[1] = elem
                elif decls:
                    self._vars[inner - 1][1] = elem
                    if len(decls) > 1:
                        self._vars[inner - 2][1] = index
                try:
                    self._walk_list(elem, node.body)
                except _Continue:
                    pass
                except _Break:
                    break
                finally:
                    del self._vars[inner:]
            if not ran and node.else_body is not None:
                self._walk_list(dot, node.else_body)
        finally:
            del self._vars[mark:]

    # -- expressions ----------------------------------------------------------------

    def _eval_pipeline(self, dot: object, pipe: PipeNode) -> object:
        value: object = _NO_FINAL
        for command in pipe.cmds:
            value = self._eval_command(dot, command, value)
            if value is None:
                value = MISSING  # Go unwraps a nil interface into "no value"
        for name in pipe.decls:
            if pipe.is_assign:
                self._lookup_var(name, pipe.offset)[1] = value
            else:
                self._vars.append([name, value])
        return value

    def _not_a_function(self, command: CommandNode, final: object) -> None:
        if len(command.args) > 1 or final is not _NO_FINAL:
            first = command.args[0]
            raise self._error(
                f"can't give argument to non-function {operand_text(first)}",
                command.args[1].offset if len(command.args) > 1 else first.offset,
            )

    def _eval_command(self, dot: object, command: CommandNode, final: object) -> object:
        self._step(command.offset)
        first = command.args[0]
        has_args = len(command.args) > 1 or final is not _NO_FINAL
        if isinstance(first, FieldNode):
            return self._eval_fields(dot, first.names, first.offset, has_args)
        if isinstance(first, ChainNode):
            base = self._eval_arg(dot, first.node)
            return self._eval_fields(base, first.names, first.offset, has_args)
        if isinstance(first, IdentifierNode):
            return self._call(dot, first, command.args[1:], final)
        if isinstance(first, VariableNode):
            value = self._lookup_var(first.name, first.offset)[1]
            if not first.names:
                self._not_a_function(command, final)
                return value
            return self._eval_fields(value, first.names, first.offset, has_args)
        self._not_a_function(command, final)
        if isinstance(first, NilNode):
            raise self._error("nil is not a command", first.offset)
        return self._eval_arg(dot, first)

    def _eval_fields(
        self, receiver: object, names: tuple[str, ...], offset: int, has_args: bool
    ) -> object:
        last = len(names) - 1
        for i, name in enumerate(names):
            receiver = self._eval_field(receiver, name, offset, has_args and i == last)
        return receiver

    def _eval_field(self, receiver: object, name: str, offset: int, has_args: bool) -> object:
        try:
            return field_of(receiver, name, self.missing_key, has_args)
        except FieldError as exc:
            raise self._error(str(exc), offset) from None

    def _eval_arg(self, dot: object, node: Operand) -> object:
        if isinstance(node, DotNode):
            return dot
        if isinstance(node, FieldNode):
            return self._eval_fields(dot, node.names, node.offset, False)
        if isinstance(node, VariableNode):
            value = self._lookup_var(node.name, node.offset)[1]
            return self._eval_fields(value, node.names, node.offset, False)
        if isinstance(node, PipeNode):
            return self._eval_pipeline(dot, node)
        if isinstance(node, IdentifierNode):
            return self._call(dot, node, (), _NO_FINAL)
        if isinstance(node, ChainNode):
            if isinstance(node.node, NilNode):
                raise self._error("indirection through explicit nil", node.offset)
            base = self._eval_arg(dot, node.node)
            return self._eval_fields(base, node.names, node.offset, False)
        if isinstance(node, NilNode):
            return None
        assert isinstance(node, BoolNode | NumberNode | StringNode)
        return node.value

    def _call(
        self, dot: object, ident: IdentifierNode, arg_nodes: tuple[Operand, ...], final: object
    ) -> object:
        spec = self.funcs[ident.name]
        has_final = final is not _NO_FINAL
        problem = spec.arity_error(len(arg_nodes) + has_final)
        if problem:
            raise self._error(problem, ident.offset)
        if ident.name in ("and", "or"):
            return self._and_or(dot, ident.name == "or", arg_nodes, final)
        argv: list[object] = []
        for i, node in enumerate(arg_nodes):
            param = spec.param(i)
            if isinstance(node, NilNode) and param is not Param.ANY:
                raise self._error(f"cannot assign nil to {param.value}", node.offset)
            argv.append(self._coerce(self._eval_arg(dot, node), param, ident.name, i, node.offset))
        if has_final:
            i = len(arg_nodes)
            argv.append(self._coerce(final, spec.param(i), ident.name, i, ident.offset))
        try:
            result = spec.impl(self.context, *argv)
        except FuncError as exc:
            raise self._error(f"error calling {ident.name}: {exc}", ident.offset) from None
        except FormatBudgetError as exc:
            raise self._error(f"error calling {ident.name}: {exc}", ident.offset) from None
        if isinstance(result, str) and len(result) > self.limits.max_output:
            raise self._error(
                f"error calling {ident.name}: result is over the "
                f"{self.limits.max_output}-character limit",
                ident.offset,
            )
        return result

    def _coerce(self, value: object, param: Param, name: str, index: int, offset: int) -> object:
        try:
            return coerce(value, param)
        except ArgTypeError as exc:
            raise self._error(f"{exc} (argument {index + 1} of {name})", offset) from None

    def _and_or(
        self, dot: object, is_or: bool, arg_nodes: tuple[Operand, ...], final: object
    ) -> object:
        value: object = MISSING
        for node in arg_nodes:
            value = self._eval_arg(dot, node)
            if is_true(value) == is_or:
                return value
        return final if final is not _NO_FINAL else value
