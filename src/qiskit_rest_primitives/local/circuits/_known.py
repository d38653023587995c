"""Circuits already decoded, padded to device width and checked, by OpenQASM 3 text.

Iterative algorithms (VQE, a neural network's training, gradients) send the same circuit text
job after job, and the API process (validating the POST) and then a worker process (running
the job) each read it. Each process keeps the circuits it read last, so a text is parsed,
checked, planned and compiled once per process, not once per job and process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from qiskit.circuit import QuantumCircuit

from ..state._backends import BackendInfo
from ._limits import Limits

#: Circuits kept per process, and the largest kept (instructions after expansion).
MAX_ENTRIES = 64
MAX_INSTRUCTIONS = 20_000


@dataclass
class KnownCircuit:
    """One text's circuit, read for one backend under one set of limits.

    The circuit is shared by every job that sends the text: nothing may change it.
    """

    circuit: QuantumCircuit
    """Padded to the backend's width and checked to be ISA for it."""
    parsed_width: int
    """Qubits the text declares (observables of that width are padded too)."""
    size: int
    """Instructions counted against a job's budget."""
    backend: BackendInfo
    memo: dict[Any, Any] = field(default_factory=dict)
    """What later stages derive from the circuit alone (simulation plan, compiled program)."""


class KnownCircuits:
    """A thread-safe LRU of :class:`KnownCircuit` keyed by (text, limits)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: OrderedDict[tuple[str, Limits], KnownCircuit] = OrderedDict()
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def get(self, text: str, limits: Limits, backend: BackendInfo) -> KnownCircuit | None:
        """The circuit ``text`` gave for this backend and these limits, if still kept."""
        with self._lock:
            known = self._entries.get((text, limits))
            if known is None or known.backend is not backend:
                return None
            self._entries.move_to_end((text, limits))
            return known

    def put(self, text: str, limits: Limits, known: KnownCircuit) -> None:
        """Keep ``known`` (unless it is too large to be worth its memory)."""
        if known.size > MAX_INSTRUCTIONS:
            return
        with self._lock:
            self._entries[(text, limits)] = known
            self._entries.move_to_end((text, limits))
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every circuit."""
        with self._lock:
            self._entries.clear()


#: This process's circuits.
KNOWN = KnownCircuits()
