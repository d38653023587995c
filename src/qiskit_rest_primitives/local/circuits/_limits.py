"""Input limits of the local server: one dataclass, the error naming a limit, JSON depth.

Every limit is checked before the work it bounds is done (a body is not read past
``max_body_bytes``, a program is not parsed past its declared sizes), so one small request
cannot hold the server's memory or its worker.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from ..api._errors import CODE_VALIDATION, ApiError

#: JSON strings (with escapes): their brackets do not nest.
_JSON_STRING_RE = re.compile(rb'"(?:[^"\\]|\\.)*"', flags=re.DOTALL)


@dataclass(frozen=True, kw_only=True)
class Limits:
    """What one request may ask of the server; each field is set by ``serve --max-...``."""

    max_body_bytes: int = 16 * 1024 * 1024
    """Request body size in bytes (default 16 MiB); more answers 413 before it is read.
    Decompressed QPY and ndarray envelopes are held to the same size."""
    max_json_depth: int = 64
    """Nesting of JSON arrays and objects in a body (default 64)."""
    max_pubs: int = 10_000
    """Pubs in one job (default 10000)."""
    max_instructions: int = 1_000_000
    """Instructions in one job after expanding gate definitions, broadcasts and loops
    (default 1000000), summed over its pubs."""
    max_executions: int = 10_000_000
    """Circuit executions in one job (default 10000000), summed over its pubs: shots x
    parameter sets for the sampler, parameter sets x observables (the pub's shape) for the
    estimator. Bounds the simulation time and the size of the result."""
    max_gate_expansion: int = 10_000
    """Instructions one call of a defined gate expands to (default 10000)."""
    max_loop_iterations: int = 100_000
    """Iterations of one ``for`` loop (default 100000)."""
    max_qubits: int = 1024
    """Qubits a program declares or addresses, summed over its registers (default 1024)."""
    max_clbits: int = 65_536
    """Classical bits a program declares, summed over its registers (default 65536)."""
    max_qasm_nesting: int = 64
    """Nesting of parentheses, brackets and braces in an OpenQASM 3 program handed to the
    general parser (default 64); its parse time grows with the depth."""
    max_memory_mb: int = 1024
    """Memory one simulation may plan to use, in MiB (default 1024). Circuits whose touched
    qubits need a larger statevector run with the stabilizer (Clifford) or
    matrix-product-state method, or are refused at submission with the reason."""
    max_fallback_qasm_bytes: int = 256 * 1024
    """OpenQASM 3 text the general parser takes (default 256 KiB): programs the fast ISA
    parser does not cover (control flow, broadcasts, aliases, custom gate calls)
    cost about 15 µs per byte to parse."""
    max_iam_failures: int = 10
    """Failed IAM token requests (unknown API key) one client address may make in a minute
    (default 10); then every token request from it answers 429 with ``Retry-After``."""

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"Limits.{item.name} must be a positive integer, got {value!r}")

    @classmethod
    def option_names(cls) -> list[str]:
        """The field names, in declaration order (each is a ``serve --max-...`` flag)."""
        return [item.name for item in fields(cls)]


class LimitExceeded(ValueError):
    """An input passed limit ``name``; the message ends ``(limit <name>)``."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{message} (limit {name})")
        self.name = name


def check_bits(qubits: int, clbits: int, limits: Limits, subject: str) -> None:
    """``max_qubits`` and ``max_clbits``; ``subject`` starts the message ("the circuit has")."""
    if qubits > limits.max_qubits:
        raise LimitExceeded("max_qubits", f"{subject} {qubits} qubits, more than "
                            f"{limits.max_qubits}")
    if clbits > limits.max_clbits:
        raise LimitExceeded("max_clbits", f"{subject} {clbits} classical bits, more than "
                            f"{limits.max_clbits}")


def limit_error(name: str, message: str, *, status: int = 400) -> ApiError:
    """A 400 (or 413) validation error (code 1002) whose message ends ``(limit <name>)``."""
    return ApiError(status, f"{message} (limit {name})", CODE_VALIDATION)


def body_too_large(limit: int) -> ApiError:
    """The 413 answer for a body longer than ``max_body_bytes``."""
    return limit_error("max_body_bytes",
                       f"The request body is larger than {limit} bytes", status=413)


def json_depth(raw: bytes, opening: bytes = b"[{", closing: bytes = b"]}") -> int:
    """The deepest nesting of ``opening``/``closing`` brackets in a text, quoted strings
    skipped (JSON arrays and objects by default).

    Counted with regex and numpy, not a Python loop over characters, so a body at the size
    limit is scanned in milliseconds.
    """
    others = bytes(b for b in range(256) if b not in opening + closing)
    brackets = _JSON_STRING_RE.sub(b"", raw).translate(None, delete=others)
    if not brackets:
        return 0
    steps_table = bytes.maketrans(opening + closing,
                                  b"\x01" * len(opening) + b"\xff" * len(closing))
    steps = np.frombuffer(brackets.translate(steps_table), dtype=np.int8)
    level = np.cumsum(steps, dtype=np.int64)
    # Stray closers do not hide the openers after them: depth is counted from the lowest point.
    return int((level - np.minimum.accumulate(np.minimum(level, 0))).max())


def parse_json(raw: bytes, limits: Limits) -> Any:
    """``json.loads`` after checking the nesting depth; 400 naming the problem otherwise."""
    if not raw:
        return None
    depth = json_depth(raw)
    if depth > limits.max_json_depth:
        raise limit_error("max_json_depth",
                          f"The JSON body nests {depth} levels deep, more than "
                          f"{limits.max_json_depth}")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, f"The request body is not valid JSON: {exc}") from exc
