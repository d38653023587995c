"""Instruction counts of parsed circuits after expanding gate definitions and ``for`` loops.

The simulator unrolls both, so a few bytes of nested definitions or one long loop can
hold a worker for minutes; counting stops as soon as a limit is passed, so refusing costs
no more than the limit itself.
"""

from __future__ import annotations

from typing import Any

from qiskit.circuit import ControlFlowOp, ForLoopOp, Gate, QuantumCircuit

from ._limits import LimitExceeded, Limits, check_bits


class InstructionBudget:
    """What is left of ``max_instructions`` and ``max_executions`` for one job, spent pub by
    pub."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.used = 0
        self.executions = 0
        self._expansion: dict[int, tuple[Any, int]] = {}  # id(definition) -> (definition, size)

    def spend(self, circuit: QuantumCircuit) -> int:
        """Count ``circuit`` (widths checked first) against the budget; returns its size."""
        check_bits(circuit.num_qubits, circuit.num_clbits, self.limits, "the circuit has")
        size = self._block(circuit, self.limits.max_instructions - self.used)
        self.used += size
        return size

    def spend_again(self, size: int) -> None:
        """Count once more a circuit :meth:`spend` measured (``size`` instructions)."""
        if self.used + size > self.limits.max_instructions:
            raise LimitExceeded("max_instructions", "the job expands to more than "
                                f"{self.limits.max_instructions} instructions")
        self.used += size

    def run(self, executions: int) -> None:
        """Count a pub's circuit executions (shots x parameter sets, or estimates)."""
        self.executions += executions
        if self.executions > self.limits.max_executions:
            raise LimitExceeded("max_executions", "the job asks for more than "
                                f"{self.limits.max_executions} circuit executions (shots x "
                                "parameter sets, or parameter sets x observables)")

    def _block(self, block: QuantumCircuit, room: int) -> int:
        """Expanded size of ``block``; ``LimitExceeded`` as soon as it passes ``room``."""
        total = 0
        for instruction in block.data:
            total += self._operation(instruction.operation, room - total)
            if total > room:
                raise LimitExceeded("max_instructions", "the job expands to more than "
                                    f"{self.limits.max_instructions} instructions")
        return total

    def _operation(self, operation: Any, room: int) -> int:
        if isinstance(operation, ControlFlowOp):
            repeat = 1
            if isinstance(operation, ForLoopOp):
                repeat = len(operation.params[0])
                if repeat > self.limits.max_loop_iterations:
                    raise LimitExceeded("max_loop_iterations", f"a for loop runs {repeat} "
                                        f"iterations, more than {self.limits.max_loop_iterations}")
            # Every branch counts (an upper bound); a while loop's body counts once.
            inner = sum(self._block(body, room) for body in operation.blocks)
            return max(1, inner * repeat)
        if not _is_defined_gate(operation):
            return 1
        return self._defined(operation, room)

    def _defined(self, gate: Gate, room: int) -> int:
        definition = gate.definition
        known = self._expansion.get(id(definition))
        if known is not None:
            return known[1]
        limit = self.limits.max_gate_expansion
        try:
            size = max(1, self._block(definition, min(room, limit)))
        except LimitExceeded as exc:
            if exc.name == "max_instructions" and room >= limit:
                raise LimitExceeded("max_gate_expansion", f"one call of gate '{gate.name}' "
                                    f"expands to more than {limit} instructions") from exc
            raise
        self._expansion[id(definition)] = (definition, size)
        return size


def _is_defined_gate(operation: Any) -> bool:
    """A gate from a program's own ``gate`` definition (standard gates run natively)."""
    return (isinstance(operation, Gate) and getattr(operation, "_standard_gate", None) is None
            and operation._definition is not None)
