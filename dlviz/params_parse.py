"""The safe architecture parser: text → validated layer calls, never evaluated.

`ast.parse(mode="eval")` after a length cap, a node-count cap, then an allow-list walk that
accepts exactly: nn.Sequential(<layers>), a single <layer>, or sizes "10, 18, 5"; a layer is
`Name`, `nn.Name` or `torch.nn.Name` from `LAYERS`, called with literal numbers, booleans and
flat tuples. Every refusal is an `ArchitectureError` saying what and where (line, column).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from dlviz.params_layers import LAYERS, call_code, check_value, feed

MAX_CHARS = 4000
MAX_NODES = 1500
MAX_LAYERS = 64
_PREFIX = re.compile(r"\s*(?:[A-Za-z_]\w*\s*=(?!=)\s*)?")  # leading blanks and "model ="
_MODULE_PREFIXES = ((), ("nn",), ("torch", "nn"))


class ArchitectureError(ValueError):
    """Text that does not describe an architecture; the message says what and where."""

    def __init__(self, message: str, *, line: int | None = None, col: int | None = None,
                 end_col: int | None = None, multiline: bool = False):
        self.line, self.col, self.end_col = line, col, end_col
        where = ""
        if col is not None:
            where = f"Line {line}, column {col}: " if multiline else f"Column {col}: "
        self.reason = message
        super().__init__(where + message)


@dataclass(frozen=True)
class LayerCall:
    """One layer as written: its name, its bound arguments, and where it stands."""

    kind: str  # a key of LAYERS
    args: tuple[tuple[str, object], ...]  # (name, value) in constructor order
    # where it was written (1-based characters); not part of what the layer *is*
    line: int = field(default=1, compare=False)
    col: int = field(default=1, compare=False)
    end_col: int | None = field(default=None, compare=False)

    @property
    def kwargs(self) -> dict:
        return dict(self.args)

    def code(self) -> str:
        return call_code(self.kind, self.kwargs)


# --- parsing ---------------------------------------------------------------------------------

class _Where:
    """Maps AST positions (1-based lines, UTF-8 byte columns) back to the user's text."""

    def __init__(self, body: str, skipped: str):
        self.lines = body.split("\n")
        self.skip_lines = skipped.count("\n")
        self.skip_cols = len(skipped) - (skipped.rfind("\n") + 1)
        self.multiline = "\n" in (skipped + body).strip()

    def locate(self, node) -> tuple[int, int, int | None]:
        """(line, column, end column) of `node` in the user's text, 1-based characters."""
        line, col = node.lineno, self._chars(node.lineno, node.col_offset) + 1
        end = None
        if getattr(node, "end_lineno", None) == node.lineno:
            end = self._chars(node.lineno, node.end_col_offset) + 1
        return self.shift(line, col, end)

    def shift(self, line: int, col: int, end: int | None = None):
        cols = self.skip_cols if line == 1 else 0
        return line + self.skip_lines, col + cols, (end + cols if end is not None else None)

    def error(self, message: str, node=None, *, line=None, col=None) -> ArchitectureError:
        end = None
        if node is not None:
            line, col, end = self.locate(node)
        elif line is not None and col is not None:
            line, col, end = self.shift(line, col)
        return ArchitectureError(message, line=line, col=col, end_col=end,
                                 multiline=self.multiline)

    def _chars(self, line: int, byte_col: int) -> int:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def parse_layers(text: str) -> tuple[LayerCall, ...]:
    """Text → validated layer calls (names, arguments and shapes checked); nothing is run."""
    if not isinstance(text, str):
        raise ArchitectureError("The architecture must be text.")
    if len(text) > MAX_CHARS:
        raise ArchitectureError(f"Too long: {len(text):,} characters; at most {MAX_CHARS:,}.")
    skipped = _PREFIX.match(text).group(0)
    body = text[len(skipped):]
    where = _Where(body, skipped)
    if not body.strip():
        raise ArchitectureError("Empty: type sizes such as 10, 18, 20, 5 or paste "
                                "nn.Sequential(...) code.")
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError as err:
        col = err.offset if err.offset and err.offset > 0 else None
        raise where.error(f"Not valid Python syntax: {err.msg}.", line=err.lineno or 1,
                          col=col) from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise ArchitectureError("Too deeply nested or too large to read.") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ArchitectureError(f"Too many parts: at most {MAX_NODES} syntax nodes.")
    calls = _top(tree.body, where)
    if len(calls) > MAX_LAYERS:
        raise ArchitectureError(f"Too many layers: {len(calls)}; at most {MAX_LAYERS}.")
    _check_shapes(calls, where)
    return calls


def _top(node, where: _Where) -> tuple[LayerCall, ...]:
    if isinstance(node, (ast.Tuple, ast.List)) and node.elts and all(
            _is_number(e) for e in node.elts):
        return _shorthand(node, where)
    if isinstance(node, (ast.Tuple, ast.List)) and node.elts:
        bad = next(e for e in node.elts if not _is_number(e))
        hint = ("put layers inside nn.Sequential(...)" if isinstance(bad, ast.Call)
                else "sizes are whole numbers, such as 10, 18, 5")
        raise where.error(f"Expected a number here, found {_what(bad)}: {hint}.", bad)
    if _is_number(node):
        raise where.error("A single number is not a model: give at least two sizes, "
                          "such as 8, 2.", node)
    if not isinstance(node, ast.Call):
        raise where.error(f"Expected nn.Sequential(...), a layer such as nn.Linear(10, 18), "
                          f"or sizes such as 10, 18, 5; found {_what(node)}.", node)
    if _layer_name(node.func, where) == "Sequential":
        if node.keywords:
            raise where.error("nn.Sequential takes layers, not keyword arguments.",
                              node.keywords[0])
        if not node.args:
            raise where.error("nn.Sequential() is empty: put at least one layer inside.", node)
        return tuple(_layer(arg, where) for arg in node.args)
    return (_layer(node, where),)


def _shorthand(node, where: _Where) -> tuple[LayerCall, ...]:
    sizes = [_literal(e, where) for e in node.elts]
    if len(sizes) < 2:
        raise where.error("Give at least two sizes, such as 8, 2.", node)
    for elt, value in zip(node.elts, sizes, strict=True):
        try:
            check_value("size", "Size", value)
        except ValueError as err:
            raise where.error(f"{err}.", elt) from None
    return tuple(LayerCall("Linear", (("in_features", a), ("out_features", b)),
                           *where.locate(elt))
                 for elt, a, b in zip(node.elts, sizes, sizes[1:], strict=False))


def _layer(node, where: _Where) -> LayerCall:
    if isinstance(node, ast.Starred):
        raise where.error("Starred arguments (*layers) are not allowed.", node)
    if not isinstance(node, ast.Call):
        raise where.error(f"Expected a layer such as nn.Linear(10, 18); found {_what(node)}.",
                          node)
    kind = _layer_name(node.func, where)
    if kind == "Sequential":
        raise where.error("Put the layers directly in one nn.Sequential, not nested.", node)
    spec = LAYERS[kind]
    names = [a.name for a in spec.args]
    bound: dict[str, object] = {}
    if len(node.args) > len(names):
        raise where.error(f"{kind} takes at most {len(names)} positional arguments, "
                          f"got {len(node.args)}.", node.args[len(names)])
    for arg, value in zip(spec.args, node.args, strict=False):
        bound[arg.name] = _value(kind, arg, value, where)
    for kw in node.keywords:
        if kw.arg is None:
            raise where.error("**keyword unpacking is not allowed.", kw)
        arg = next((a for a in spec.args if a.name == kw.arg), None)
        if arg is None:
            allowed = ", ".join(names) or "no arguments"
            raise where.error(f"{kind} does not take {kw.arg}= here (allowed: {allowed}).", kw)
        if kw.arg in bound:
            raise where.error(f"{kind} got {kw.arg} twice.", kw)
        bound[kw.arg] = _value(kind, arg, kw.value, where)
    missing = [n for n in names[:spec.required] if n not in bound]
    if missing:
        raise where.error(f"{kind} needs {', '.join(missing)}.", node)
    ordered = tuple((n, bound[n]) for n in names if n in bound)
    return LayerCall(kind, ordered, *where.locate(node))


def _layer_name(func, where: _Where) -> str:
    """`Linear`, `nn.Linear` or `torch.nn.Linear` → "Linear"; anything else is refused."""
    parts = []
    node = func
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        raise where.error(f"Expected a layer name such as nn.Linear; found {_what(func)}.",
                          func)
    parts.append(node.id)
    *prefix, name = reversed(parts)
    if tuple(prefix) not in _MODULE_PREFIXES:
        raise where.error(f"Only nn.<Layer>, torch.nn.<Layer> or <Layer> is allowed, "
                          f"not {'.'.join([*prefix, name])[:40]}.", func)
    if name != "Sequential" and name not in LAYERS:
        raise where.error(f"Unknown layer {name[:40]!r}; known: {', '.join(LAYERS)}.", func)
    return name


def _value(kind: str, arg, node, where: _Where):
    value = _literal(node, where)
    if kind == "Conv1d" and isinstance(value, tuple) and len(value) != 1:
        raise where.error(f"Conv1d's {arg.name} takes one number.", node)
    if kind == "Conv2d" and isinstance(value, tuple) and len(value) != 2:
        raise where.error(f"Conv2d's {arg.name} takes one number or two, (3, 3).", node)
    try:
        return check_value(arg.kind, f"{kind}'s {arg.name}", value)
    except ValueError as err:
        raise where.error(f"{err}.", node) from None


def _literal(node, where: _Where):
    """An int, float, bool or flat tuple of them; every other node is refused."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (bool, int, float)):
        return node.value
    if (isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd))
            and isinstance(node.operand, ast.Constant)
            and type(node.operand.value) in (int, float)):
        return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
    if isinstance(node, ast.Tuple) and all(isinstance(e, (ast.Constant, ast.UnaryOp))
                                           for e in node.elts):
        return tuple(_literal(e, where) for e in node.elts)
    raise where.error(f"Only numbers, True/False and tuples of numbers are allowed here; "
                      f"found {_what(node)}.", node)


def _is_number(node) -> bool:
    return (isinstance(node, ast.Constant) and type(node.value) in (int, float)) or (
        isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant))


def _what(node) -> str:
    names = {ast.Name: "a name", ast.Attribute: "an attribute", ast.Subscript: "a subscript",
             ast.BinOp: "arithmetic", ast.Lambda: "a lambda", ast.JoinedStr: "an f-string",
             ast.Constant: "a constant", ast.Call: "a call", ast.Starred: "a starred argument",
             ast.ListComp: "a comprehension", ast.GeneratorExp: "a comprehension",
             ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict"}
    if isinstance(node, ast.Constant):
        kinds = {str: "text in quotes", bytes: "bytes", complex: "a complex number",
                 type(None): "None", type(...): "..."}
        return kinds.get(type(node.value), "a constant")
    return names.get(type(node), f"{type(node).__name__} syntax")


def _check_shapes(calls, where: _Where) -> None:
    state = None
    for i, call in enumerate(calls, start=1):
        try:
            state = feed(call.kind, call.kwargs, state)
        except ValueError as err:
            raise ArchitectureError(f"Layer {i}, {call.kind}: {err}.", line=call.line,
                                    col=call.col, end_col=call.end_col,
                                    multiline=where.multiline) from None


