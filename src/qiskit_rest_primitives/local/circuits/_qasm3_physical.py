"""Physical qubits (``$n``) for the fast OpenQASM 3 parser, shared by the programs it reads.

A ``Qubit`` without a register is only an identity, and circuits sharing bits is ordinary
qiskit (every circuit built on one register does), so ``$n`` is the same object in every
program; the trivial layout a physically addressed program carries is then copied from one
kept per width (building it costs ~1 µs per qubit, copying it a dictionary copy).
"""

from __future__ import annotations

import functools
import threading

from qiskit.circuit import Qubit
from qiskit.transpiler import Layout, TranspileLayout

_LOCK = threading.Lock()
_QUBITS: list[Qubit] = []
#: Widths whose layouts are kept (wider programs build theirs).
_KEPT_WIDTH = 4096


def physical_qubits(count: int) -> list[Qubit]:
    """``$0`` to ``$(count - 1)``."""
    if len(_QUBITS) < count:
        with _LOCK:
            _QUBITS.extend(Qubit() for _ in range(len(_QUBITS), count))
    return _QUBITS[:count]


def trivial_layout(count: int) -> TranspileLayout:
    """The layout ``qasm3.loads`` gives a program on ``$0``...``$(count - 1)``: qubit i on
    physical qubit i."""
    if count > _KEPT_WIDTH:
        layout, mapping = _build(count)
    else:
        layout, mapping = _kept(count)
        layout, mapping = layout.copy(), dict(mapping)
    return TranspileLayout(initial_layout=layout, input_qubit_mapping=mapping,
                           final_layout=None)


@functools.lru_cache(maxsize=16)
def _kept(count: int) -> tuple[Layout, dict[Qubit, int]]:
    return _build(count)


def _build(count: int) -> tuple[Layout, dict[Qubit, int]]:
    qubits = physical_qubits(count)
    return Layout.from_qubit_list(qubits), {bit: i for i, bit in enumerate(qubits)}
