"""Size checks on OpenQASM 3 text before it is parsed, so no parser allocates past a limit.

The general parser (``qasm3.loads``) allocates every declared bit, expands gate definitions
while it parses (doubling its time and memory per nesting level of two-call definitions) and
takes about 15 µs per byte; :func:`scan` bounds all of that from the text alone. Upper bounds
are enough: a program whose bound passes a limit is refused, one that stays under is exact or
smaller once parsed.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from ._limits import LimitExceeded, Limits, check_bits, json_depth

_LINE_COMMENT_RE = re.compile(r"//[^\n]*")
_BLOCK_COMMENT_RE = re.compile(r"/\*.*?(?:\*/|\Z)", flags=re.DOTALL)
_PIECE_RE = re.compile(r"([^;{}]*)([;{}])")
_IDENT = r"[^\W\d]\w*"
_DECLARATION_RE = re.compile(
    rf"(?:(?:input|output)\s+)?(qubit|bit)\s*(?:\[(.*)\])?\s*({_IDENT})\s*(?:=.*)?",
    flags=re.DOTALL)
_OLD_DECLARATION_RE = re.compile(rf"(qreg|creg)\s+({_IDENT})\s*(?:\[(.*)\])?", flags=re.DOTALL)
_WIDTH_RE = re.compile(r"\b(qubit|bit)\s*\[([^\]]*)\]|\b(qreg|creg)\s+\w+\s*\[([^\]]*)\]")
_ALIAS_RE = re.compile(rf"let\s+({_IDENT})\s*=(.*)", flags=re.DOTALL)
_FOR_RE = re.compile(r"for\b.*?\bin\b\s*(.*)", flags=re.DOTALL)
_RANGE_RE = re.compile(r"\[([^\]:]*):([^\]:]*)(?::([^\]:]*))?\]")
_CALL_RE = re.compile(rf"((?:\s*(?:ctrl|negctrl|inv|pow)\s*(?:\([^)]*\))?\s*@)*)\s*({_IDENT})"
                      r"\s*(?:\([^;]*?\))?\s*(.*)", flags=re.DOTALL)
_PHYSICAL_RE = re.compile(r"\$(\d+)")
_NAME_RE = re.compile(_IDENT)
#: Statements that declare or configure and run nothing.
_NOT_RUN = frozenset({"OPENQASM", "include", "input", "output", "float", "int", "uint", "angle",
                      "bool", "complex", "duration", "stretch", "const", "array", "pragma",
                      "extern", "defcalgrammar", "return", "break", "continue", "end"})
_DEFINITION_HEADS = ("gate", "def", "defcal", "cal")


def strip_comments(text: str) -> str:
    """``text`` without ``//`` and ``/* */`` comments; a block comment becomes its newlines
    (or one space), so line numbers in parser messages still match the input."""
    text = _BLOCK_COMMENT_RE.sub(lambda m: "\n" * m[0].count("\n") or " ", text)
    return _LINE_COMMENT_RE.sub("", text)


def check_widths(text: str, limits: Limits) -> None:
    """Cheap check for every parser path: declared qubits and bits, summed, and ``$n``
    indices within limits (regex scans: only long indices are looked at one by one)."""
    text = strip_comments(text) if "/" in text else text
    digits = len(str(limits.max_qubits))
    physical = max((int(n) + 1 for n in re.findall(rf"\$(\d{{{digits},}})", text)), default=0)
    qubits = clbits = 0
    for match in _WIDTH_RE.finditer(text):
        size = _size(match[2] if match[1] else match[4])
        if (match[1] or match[3]) in ("qubit", "qreg"):
            qubits += size
        else:
            clbits += size
    _check_bits(max(qubits, physical), clbits, limits)


def _check_bits(qubits: int, clbits: int, limits: Limits) -> None:
    check_bits(qubits, clbits, limits, "the program declares or addresses")


@dataclass
class _Block:
    """One ``{ }`` block being scanned: what it is and the instructions counted in it."""

    kind: str  # "top", "definition" or "block"
    name: str = ""
    repeat: int = 1
    count: int = 0


@dataclass
class _Scan:
    """The whole program: registers, defined gates and the open blocks."""

    limits: Limits
    registers: dict[str, int] = field(default_factory=dict)
    definitions: dict[str, int] = field(default_factory=dict)
    qubits: int = 0
    clbits: int = 0
    physical: int = 0
    stack: list[_Block] = field(default_factory=lambda: [_Block("top")])


def scan(text: str, limits: Limits) -> None:
    """Bound what parsing and running ``text`` would cost; ``LimitExceeded`` past a limit.

    Checks the text size and bracket nesting (the general parser is slow, the more so the
    deeper), the declared widths, ``$n`` indices, each defined gate's expansion, each ``for``
    loop's iterations and the instruction total (gate calls expanded, broadcasts over whole
    registers, loops unrolled).
    """
    if len(text) > limits.max_fallback_qasm_bytes:
        raise LimitExceeded("max_fallback_qasm_bytes",
                            f"the program has {len(text)} characters; programs beyond the fast "
                            "ISA parser (control flow, broadcasts, aliases, custom gates) may "
                            f"have at most {limits.max_fallback_qasm_bytes}")
    depth = json_depth(text.encode("utf-8", "replace"), b"([{", b")]}")
    if depth > limits.max_qasm_nesting:
        raise LimitExceeded("max_qasm_nesting", f"the program nests brackets {depth} deep, "
                            f"more than {limits.max_qasm_nesting}")
    state = _Scan(limits)
    text = strip_comments(text)
    position = 0
    while match := _PIECE_RE.match(text, position):
        position = match.end()
        head, delimiter = match[1].strip(), match[2]
        if delimiter == ";":
            _statement(state, head)
        elif delimiter == "{":
            position = _open(state, head, text, position)
        elif len(state.stack) > 1:
            _close(state)
    _check_bits(max(state.qubits, state.physical), state.clbits, limits)


def _open(state: _Scan, head: str, text: str, position: int) -> int:
    """Push the block ``head {`` opens; a ``for ... in {set}`` first skips its set literal."""
    words = head.split(None, 2)
    if words and words[0] in _DEFINITION_HEADS:
        name = words[1].split("(")[0] if len(words) > 1 else ""
        state.stack.append(_Block("definition", name))
        return position
    loop = _FOR_RE.fullmatch(head)
    if loop is not None and not loop[1].strip():  # the set literal follows: {a, b, c}
        end = text.find("}", position)
        end = len(text) if end < 0 else end
        items = [item for item in text[position:end].split(",") if item.strip()]
        state.stack.append(_Block("pending", repeat=_iterations(state, len(items))))
        return end + 1
    if state.stack[-1].kind == "pending":  # the body of the loop whose set was just read
        state.stack[-1].kind = "block"
        return position
    repeat = 1
    if loop is not None:
        repeat = _iterations(state, _range_length(loop[1].strip()))
    state.stack.append(_Block("block", repeat=repeat))
    return position


def _iterations(state: _Scan, count: int) -> int:
    if count > state.limits.max_loop_iterations:
        raise LimitExceeded("max_loop_iterations", f"a for loop runs {count} iterations, more "
                            f"than {state.limits.max_loop_iterations}")
    return count


def _range_length(text: str) -> int:
    """Iterations of ``[a:b]`` or ``[a:step:b]`` (inclusive, as OpenQASM 3 ranges are)."""
    match = _RANGE_RE.fullmatch(text)
    if match is None:
        return 1  # iterating a register or an identifier: bounded by its width
    start = _int_expression(match[1], "loop bound")
    step = _int_expression(match[2], "loop step") if match[3] is not None else 1
    stop = _int_expression(match[3] if match[3] is not None else match[2], "loop bound")
    if step == 0:
        raise ValueError("a for loop range has step 0")
    return max(0, (stop - start) // step + 1)


def _close(state: _Scan) -> None:
    block = state.stack.pop()
    if block.kind == "definition":
        state.definitions[block.name] = max(block.count, 1)
        return
    _add(state, block.count * block.repeat)


def _add(state: _Scan, count: int) -> None:
    """Count ``count`` instructions into the innermost block, checking the right limit."""
    block = state.stack[-1]
    block.count += count
    limits = state.limits
    if block.kind == "definition" and block.count > limits.max_gate_expansion:
        raise LimitExceeded("max_gate_expansion", f"one call of gate '{block.name}' expands to "
                            f"more than {limits.max_gate_expansion} instructions")
    total, factor = 0, 1
    for outer in state.stack:
        if outer.kind == "definition":
            return
        factor *= outer.repeat
        total += outer.count * factor
    if total > limits.max_instructions:
        raise LimitExceeded("max_instructions", "the program expands to more than "
                            f"{limits.max_instructions} instructions")


def _statement(state: _Scan, text: str) -> None:
    if not text or text.startswith("@"):
        return
    for index in _PHYSICAL_RE.findall(text):
        state.physical = max(state.physical, int(index) + 1)
        _check_bits(state.physical, 0, state.limits)
    if (match := _DECLARATION_RE.fullmatch(text)) is not None:
        _declare(state, match[1] == "qubit", match[3], match[2])
        return
    if (match := _OLD_DECLARATION_RE.fullmatch(text)) is not None:
        _declare(state, match[1] == "qreg", match[2], match[3])
        return
    if (match := _ALIAS_RE.fullmatch(text)) is not None:
        names = set(_NAME_RE.findall(match[2]))
        state.registers[match[1]] = sum(state.registers.get(n, 0) for n in names)
        return
    call = _CALL_RE.fullmatch(text)
    if call is None or call[2] in _NOT_RUN:
        return
    weight = 1 if "measure" in text else state.definitions.get(call[2], 1)
    if all(block.kind != "definition" for block in state.stack):  # gate bodies never broadcast
        weight *= _broadcast(state, call[3])
    _add(state, weight)


def _declare(state: _Scan, quantum: bool, name: str, size_text: str | None) -> None:
    size = 1 if size_text is None else _size(size_text)
    state.registers[name] = size
    if quantum:
        state.qubits += size
    else:
        state.clbits += size
    _check_bits(state.qubits, state.clbits, state.limits)


def _broadcast(state: _Scan, operands: str) -> int:
    """How many times a statement runs: the widest whole register or slice among operands."""
    widest = 1
    for name in _NAME_RE.findall(operands):
        widest = max(widest, state.registers.get(name, 1))
    return widest


def _size(text: str) -> int:
    size = _int_expression(text, "register size")
    if size < 0:
        raise ValueError(f"register size {text.strip()!r} is negative")
    return size


def _int_expression(text: str, what: str) -> int:
    """A constant integer expression (literals, ``+ - * / %`` and parentheses) or ValueError."""
    source = text.strip().replace("_", "")
    if source.isdigit() and len(source) < 20:
        return int(source)
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError) as exc:
        raise ValueError(f"{what} {text.strip()!r} is not a constant integer expression") from exc
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Add, ast.Sub,
               ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.USub, ast.UAdd)
    nodes = list(ast.walk(tree))
    if len(nodes) > 64 or not all(isinstance(node, allowed) for node in nodes) or any(
            isinstance(node, ast.Constant) and type(node.value) is not int for node in nodes):
        raise ValueError(f"{what} {text.strip()!r} is not a constant integer expression")
    return _evaluate(tree.body)


def _evaluate(node: ast.expr) -> int:
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int)
        return node.value
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    assert isinstance(node, ast.BinOp)
    left, right = _evaluate(node.left), _evaluate(node.right)
    if isinstance(node.op, ast.Add):
        return left + right
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Mult):
        return left * right
    if right == 0:
        raise ValueError("division by zero in a constant integer expression")
    return left % right if isinstance(node.op, ast.Mod) else left // right
