"""The parse tree of a template.

Owns the immutable node types the parser builds and the executor walks. Every node
records the character offset it starts at, so errors can point back into the source.
Nodes hold no behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TextNode:
    offset: int
    text: str


@dataclass(frozen=True, slots=True)
class DotNode:
    offset: int


@dataclass(frozen=True, slots=True)
class NilNode:
    offset: int


@dataclass(frozen=True, slots=True)
class BoolNode:
    offset: int
    value: bool


@dataclass(frozen=True, slots=True)
class NumberNode:
    offset: int
    value: int | float
    text: str


@dataclass(frozen=True, slots=True)
class StringNode:
    offset: int
    value: str
    text: str


@dataclass(frozen=True, slots=True)
class FieldNode:
    """`.A.B`: a field chain starting at dot."""

    offset: int
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VariableNode:
    """`$x` or `$x.A.B`."""

    offset: int
    name: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IdentifierNode:
    """A function name."""

    offset: int
    name: str


@dataclass(frozen=True, slots=True)
class ChainNode:
    """`(pipeline).A.B` or another non-field term followed by fields."""

    offset: int
    node: Operand
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CommandNode:
    offset: int
    args: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class PipeNode:
    """`$x := cmd | cmd`; `decls` are variable names, `is_assign` is `=` rather than `:=`."""

    offset: int
    decls: tuple[str, ...]
    is_assign: bool
    cmds: tuple[CommandNode, ...]


Operand = (
    DotNode
    | NilNode
    | BoolNode
    | NumberNode
    | StringNode
    | FieldNode
    | VariableNode
    | IdentifierNode
    | ChainNode
    | PipeNode
)


@dataclass(frozen=True, slots=True)
class ActionNode:
    offset: int
    pipe: PipeNode


@dataclass(frozen=True, slots=True)
class Branch:
    pipe: PipeNode
    body: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class IfNode:
    """`if` / `with` with its `else if` (`else with`) chain flattened into `branches`."""

    offset: int
    is_with: bool
    branches: tuple[Branch, ...]
    else_body: tuple[Node, ...] | None


@dataclass(frozen=True, slots=True)
class RangeNode:
    offset: int
    pipe: PipeNode
    body: tuple[Node, ...]
    else_body: tuple[Node, ...] | None


@dataclass(frozen=True, slots=True)
class BreakNode:
    offset: int


@dataclass(frozen=True, slots=True)
class ContinueNode:
    offset: int


Node = TextNode | ActionNode | IfNode | RangeNode | BreakNode | ContinueNode


def operand_text(node: Operand) -> str:
    """Source-like text of an operand, for messages."""
    if isinstance(node, StringNode | NumberNode):
        return node.text
    if isinstance(node, BoolNode):
        return "true" if node.value else "false"
    if isinstance(node, DotNode):
        return "."
    if isinstance(node, NilNode):
        return "nil"
    if isinstance(node, FieldNode):
        return "." + ".".join(node.names)
    if isinstance(node, VariableNode):
        return ".".join((node.name, *node.names))
    if isinstance(node, IdentifierNode):
        return node.name
    return "(...)"
