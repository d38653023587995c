"""Qiskit ``BackendV2`` and ``Target`` built from the API's configuration and properties JSON."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from qiskit.circuit import Delay, Measure, Parameter, Reset
from qiskit.circuit.controlflow import (
    BreakLoopOp,
    ContinueLoopOp,
    ForLoopOp,
    IfElseOp,
    SwitchCaseOp,
    WhileLoopOp,
)
from qiskit.circuit.library import get_standard_gate_name_mapping
from qiskit.providers import BackendV2, Options
from qiskit.transpiler import InstructionProperties, QubitProperties, Target

from ._decode import parse_datetime

if TYPE_CHECKING:
    from ._service import RuntimeService

JSON = dict[str, Any]
_CONTROL_FLOW = {"if_else": IfElseOp, "while_loop": WhileLoopOp, "for_loop": ForLoopOp,
                 "switch_case": SwitchCaseOp, "break_loop": BreakLoopOp,
                 "continue_loop": ContinueLoopOp}
_SCALE = {"": 1.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9, "ps": 1e-12,
          "GHz": 1e9, "MHz": 1e6, "kHz": 1e3, "Hz": 1.0}


def _value(param: JSON) -> float:
    return float(param["value"]) * _SCALE.get(param.get("unit", ""), 1.0)


def _gate_properties(props: JSON | None) -> dict[str, dict[tuple[int, ...], InstructionProperties]]:
    table: dict[str, dict[tuple[int, ...], InstructionProperties]] = {}
    for entry in (props or {}).get("gates", []):
        values = {p["name"]: _value(p) for p in entry.get("parameters", [])}
        table.setdefault(entry["gate"], {})[tuple(entry["qubits"])] = InstructionProperties(
            duration=values.get("gate_length"), error=values.get("gate_error"))
    return table


def _qubit_values(props: JSON | None, num_qubits: int) -> list[dict[str, float]]:
    rows = (props or {}).get("qubits", [])
    return [{p["name"]: _value(p) for p in rows[q]} if q < len(rows) else {}
            for q in range(num_qubits)]


def _conf_qargs(conf: JSON, name: str, num_qubits: int) -> list[tuple[int, ...]]:
    for gate in conf.get("gates", []):
        if gate.get("name") == name and gate.get("coupling_map"):
            return [tuple(q) for q in gate["coupling_map"]]
    if name in ("ecr", "cx", "cz") and conf.get("coupling_map"):
        return [tuple(edge) for edge in conf["coupling_map"]]
    return [(q,) for q in range(num_qubits)]


def target_from_json(conf: JSON, props: JSON | None = None) -> Target:
    """Build a :class:`Target` from ``/configuration`` and optional ``/properties`` JSON."""
    num_qubits = int(conf["n_qubits"])
    qubit_values = _qubit_values(props, num_qubits)
    target = Target(
        description=conf.get("backend_name"), num_qubits=num_qubits, dt=conf.get("dt"),
        granularity=conf.get("timing_constraints", {}).get("granularity", 1),
        min_length=conf.get("timing_constraints", {}).get("min_length", 1),
        qubit_properties=[QubitProperties(t1=v.get("T1"), t2=v.get("T2"),
                                          frequency=v.get("frequency")) for v in qubit_values],
        concurrent_measurements=conf.get("meas_map"),
    )
    gate_props = _gate_properties(props)
    mapping = get_standard_gate_name_mapping()
    for name in conf.get("basis_gates", []):
        if name not in mapping:
            continue
        measured = gate_props.get(name)
        qargs: Iterable[tuple[int, ...]] = measured or _conf_qargs(conf, name, num_qubits)
        target.add_instruction(mapping[name], {q: (measured or {}).get(q) for q in qargs})
    _add_non_gates(target, conf, qubit_values, gate_props)
    return target


def _add_non_gates(target: Target, conf: JSON, qubit_values: list[dict[str, float]],
                   gate_props: dict[str, dict[tuple[int, ...], InstructionProperties]]) -> None:
    supported = set(conf.get("supported_instructions") or ["measure", "delay", "reset"])
    qubits = range(target.num_qubits or 0)
    target.add_instruction(Measure(), {(q,): InstructionProperties(
        duration=qubit_values[q].get("readout_length"), error=qubit_values[q].get("readout_error"))
        for q in qubits})
    if "delay" in supported:
        target.add_instruction(Delay(Parameter("t")), {(q,): None for q in qubits})
    if "reset" in supported:
        reset = gate_props.get("reset", {})
        target.add_instruction(Reset(), {(q,): reset.get((q,)) for q in qubits})
    for name, op in _CONTROL_FLOW.items():
        if name in supported:
            target.add_instruction(op, name=name)


@dataclass(frozen=True)
class BackendStatus:
    """A backend's live status, as ``GET /backends/{name}/status`` reports it."""

    backend_name: str
    backend_version: str
    operational: bool
    pending_jobs: int
    status_msg: str


class RuntimeBackend(BackendV2):
    """A Qiskit Runtime backend: its ``Target``, configuration and properties, read over REST.

    Pass it as ``mode=`` to :class:`~qiskit_rest_primitives.SamplerV2` or
    :class:`~qiskit_rest_primitives.EstimatorV2`; ``run()`` is not supported (use the primitives).
    """

    def __init__(self, configuration: JSON, properties: JSON | None,
                 service: RuntimeService | None = None) -> None:
        super().__init__(name=configuration["backend_name"],
                         backend_version=str(configuration.get("backend_version", "")),
                         online_date=_parse_date(configuration.get("online_date")))
        self._configuration = configuration
        self._properties = properties
        self._target = target_from_json(configuration, properties)
        self.service = service

    def __repr__(self) -> str:
        return f"<RuntimeBackend('{self.name}')>"

    @property
    def target(self) -> Target:
        return self._target

    @property
    def max_circuits(self) -> int | None:
        return self._configuration.get("max_experiments")

    @property
    def max_shots(self) -> int | None:
        """The most shots one pub may request."""
        return self._configuration.get("max_shots")

    @classmethod
    def _default_options(cls) -> Options:
        return Options()

    def configuration(self) -> JSON:
        """The ``/configuration`` document."""
        return self._configuration

    def properties(self, refresh: bool = False) -> JSON | None:
        """The ``/properties`` document (re-read from the service if ``refresh``)."""
        if refresh and self.service is not None:
            self._properties = self.service._rest.get_backend_properties(self.name)
        return self._properties

    def status(self) -> BackendStatus:
        """Live operational status and queue length (``/status``)."""
        if self.service is None:
            raise RuntimeError("this backend is not attached to a service")
        raw = self.service._rest.get_backend_status(self.name)
        return BackendStatus(backend_name=self.name,
                             backend_version=str(raw.get("backend_version", self.backend_version)),
                             operational=bool(raw.get("state")),
                             pending_jobs=max(int(raw.get("length_queue", 0)), 0),
                             status_msg=str(raw.get("status", "")))

    def run(self, run_input: Any, **options: Any) -> Any:
        """Not supported: submit circuits through ``SamplerV2`` or ``EstimatorV2``."""
        raise NotImplementedError(
            "RuntimeBackend.run() is not supported; use SamplerV2(mode=backend).run(...)")


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    return parse_datetime(value)
