"""Writes conf_torino.json / props_torino.json: a Heron r1 (cz) 133-qubit device as data.

Run ``python tests/local/gen_torino_data.py`` to regenerate; the output is committed under
``src/qiskit_rest_primitives/local/state/data``. Values are seeded, so the files are reproducible.
Topology: seven rows of 15 qubits (row r starts at 19*r), each followed by four bridge qubits
that join it to the next row at columns 0/4/8/12 (even rows) or 2/6/10/14 (odd rows); the last
four bridges (129-132) hang below the last row. Error/duration values follow published Heron r1
medians (cz ≈ 3e-3 at 84 ns, sx ≈ 3e-4 at 32 ns, readout ≈ 2 % at 1.56 µs, T1 ≈ 170 µs).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

NAME = "ibm_torino"
N_QUBITS = 133
ROWS = 7
DATE = "2025-03-03T07:41:12+00:00"
SEED = 20250303
DATA = Path(__file__).resolve().parents[2] / "src" / "qiskit_rest_primitives" / "local" / "state" / "data"


def edges() -> list[tuple[int, int]]:
    """Undirected heavy-hex couplings (a < b)."""
    out: list[tuple[int, int]] = []
    for r in range(ROWS):
        start = 19 * r
        out += [(start + c, start + c + 1) for c in range(14)]
        cols = (0, 4, 8, 12) if r % 2 == 0 else (2, 6, 10, 14)
        for k, col in enumerate(cols):
            bridge = start + 15 + k
            out.append((start + col, bridge))
            if r + 1 < ROWS:
                out.append((bridge, start + 19 + col))
    return out


def _p(name: str, value: float, unit: str = "") -> dict[str, Any]:
    return {"date": DATE, "name": name, "unit": unit, "value": value}


def _qubit(rng: random.Random) -> list[dict[str, Any]]:
    p01, p10 = rng.uniform(0.005, 0.035), rng.uniform(0.002, 0.02)
    t1 = rng.uniform(110, 260)
    return [_p("T1", t1, "us"), _p("T2", rng.uniform(60, min(2 * t1, 280)), "us"),
            _p("frequency", rng.uniform(4.45, 5.05), "GHz"),
            _p("anharmonicity", rng.uniform(-0.33, -0.30), "GHz"),
            _p("readout_error", (p01 + p10) / 2), _p("prob_meas0_prep1", p01),
            _p("prob_meas1_prep0", p10), _p("readout_length", 1560, "ns")]


def _gate(name: str, qubits: list[int], error: float, length: float) -> dict[str, Any]:
    return {"qubits": qubits, "gate": name, "name": f"{name}{'_'.join(map(str, qubits))}",
            "parameters": [_p("gate_error", error), _p("gate_length", length, "ns")]}


def properties(rng: random.Random) -> dict[str, Any]:
    """The ``/properties`` document."""
    gates: list[dict[str, Any]] = []
    for q in range(N_QUBITS):
        sx_err = rng.uniform(1.2e-4, 6e-4)
        gates += [_gate("id", [q], sx_err, 32), _gate("rz", [q], 0.0, 0),
                  _gate("sx", [q], sx_err, 32), _gate("x", [q], sx_err, 32),
                  _gate("reset", [q], 0.0, 1288)]
    for a, b in edges():
        err = rng.uniform(1.8e-3, 6.5e-3)
        gates += [_gate("cz", [a, b], err, 84), _gate("cz", [b, a], err, 84)]
    return {"backend_name": NAME, "backend_version": "1.0.39", "last_update_date": DATE,
            "qubits": [_qubit(rng) for _ in range(N_QUBITS)], "gates": gates, "general": [],
            "general_qlists": []}


def _gate_conf(name: str, params: list[str], coupling: list[list[int]]) -> dict[str, Any]:
    return {"name": name, "parameters": params, "qasm_def": None, "coupling_map": coupling}


def configuration() -> dict[str, Any]:
    """The ``/configuration`` document (no pulse data: Heron backends dropped it)."""
    singles = [[q] for q in range(N_QUBITS)]
    pairs = sorted([[a, b] for a, b in edges()] + [[b, a] for a, b in edges()])
    basis = ["cz", "id", "rz", "sx", "x"]
    return {
        "backend_name": NAME, "backend_version": "1.0.39", "n_qubits": N_QUBITS,
        "basis_gates": basis,
        "gates": [_gate_conf("id", [], singles), _gate_conf("rz", ["theta"], singles),
                  _gate_conf("sx", [], singles), _gate_conf("x", [], singles),
                  _gate_conf("cz", [], pairs)],
        "local": False, "simulator": False, "conditional": False, "open_pulse": False,
        "memory": True, "max_shots": 100000, "coupling_map": pairs,
        "dynamic_reprate_enabled": True,
        "supported_instructions": ["cz", "id", "delay", "measure", "reset", "rz", "sx", "x",
                                   "if_else", "for_loop", "switch_case", "while_loop"],
        "rep_delay_range": [0.0, 500.0], "default_rep_delay": 250.0, "max_experiments": 300,
        "sample_name": "family: Heron, revision: 1", "n_registers": 1,
        "credits_required": True, "online_date": "2023-12-13T05:00:00+00:00",
        "description": "133 qubit device", "dt": 0.5, "dtm": 0.5,
        "processor_type": {"family": "Heron", "revision": 1},
        "clops_h": 210000, "measure_esp_enabled": False, "multi_meas_enabled": True,
        "parallel_compilation": True, "quantum_volume": None,
        "supported_features": ["qasm3", "parameters"],
        "timing_constraints": {"acquire_alignment": 16, "granularity": 16, "min_length": 64,
                               "pulse_alignment": 16},
        "meas_levels": [1, 2], "rep_times": [1000.0], "meas_map": [list(range(N_QUBITS))],
        "acquisition_latency": [], "conditional_latency": [],
    }


def main(out: Path = DATA) -> None:
    """Write both documents (sorted keys, stable output)."""
    rng = random.Random(SEED)
    for stem, doc in (("conf_torino", configuration()), ("props_torino", properties(rng))):
        (out / f"{stem}.json").write_text(json.dumps(doc, indent=None, separators=(",", ":")),
                                          encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA)
