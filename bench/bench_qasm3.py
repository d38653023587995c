"""OpenQASM 3 emitter and parser against their peers, on brisbane-transpiled Trotter circuits.

Emitter peers: ``qasm3.dumps``, the official client's QPY+zlib+base64 encoding
(``json.dumps(circuit, cls=RuntimeEncoder)``) and a one-pass floor over ``circuit.data``.
Parser peers: ``qasm3.loads`` and ``qpy.load`` (the floor). Medians with the GC on.

    python bench/bench_qasm3.py [--quick]
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import sys
from datetime import datetime, timezone
from typing import Any

import qiskit
from _common import cold_median_time, median_time, print_table, write_json
from circuits import trotter_isa, trotter_isa_parametric
from qiskit import QuantumCircuit, qasm3, qpy
from qiskit_ibm_runtime import RuntimeEncoder

from qiskit_rest_primitives._qasm3 import _Emitter, dumps, dumps_reference
from qiskit_rest_primitives._qasm3_native import native_text
from qiskit_rest_primitives.local._qasm3_parser import _Parser, loads


def _floor(circuit: QuantumCircuit) -> None:
    """The least any emitter must do: one pass touching each instruction's name, bits, params."""
    for inst in circuit.data:
        inst.name, inst.qubits, inst.params  # noqa: B018


def _official(circuit: QuantumCircuit) -> str:
    return json.dumps(circuit, cls=RuntimeEncoder)


def bench_emit(name: str, circuit: QuantumCircuit, repeat: int) -> dict[str, Any]:
    _Emitter(circuit).program()  # must not fall back: the fast path is what is measured
    ours = median_time(lambda: dumps(circuit), repeat=repeat)
    python_path = median_time(lambda: _Emitter(circuit).program(), repeat=repeat)
    reference = median_time(lambda: dumps_reference(circuit), repeat=max(3, repeat // 3))
    official = median_time(lambda: _official(circuit), repeat=repeat)
    floor = median_time(lambda: _floor(circuit), repeat=repeat)
    buffer = io.BytesIO()
    qpy.dump(circuit, buffer)
    blob = buffer.getvalue()

    def fresh() -> QuantumCircuit:
        loaded: QuantumCircuit = qpy.load(io.BytesIO(blob))[0]
        return loaded

    cold = {key: cold_median_time(fresh, func, repeat=max(3, repeat // (3 if slow else 1)))
            for key, func, slow in (("ours", dumps, False), ("qasm3_dumps", dumps_reference, True),
                                    ("official_qpy", _official, False), ("floor", _floor, False))}
    return {"circuit": name, "instructions": len(circuit.data), "ours_s": ours,
            "path": "rust" if native_text(circuit) is not None else "python",
            "python_emitter_s": python_path, "qasm3_dumps_s": reference,
            "official_qpy_s": official, "floor_s": floor,
            "x_faster_than_qasm3_dumps": reference / ours,
            "x_faster_than_official": official / ours, "x_of_floor": ours / floor,
            "python_emitter_x_faster_than_qasm3_dumps": reference / python_path,
            **{f"fresh_{key}_s": value for key, value in cold.items()},
            "fresh_x_faster_than_qasm3_dumps":
                cold["qasm3_dumps"] / cold["ours"],
            "fresh_x_faster_than_official": cold["official_qpy"] / cold["ours"],
            "fresh_x_of_floor": cold["ours"] / cold["floor"],
            "qasm_bytes": len(dumps(circuit).text.encode()),
            "official_bytes": len(_official(circuit).encode())}


def bench_parse(name: str, circuit: QuantumCircuit, repeat: int) -> dict[str, Any]:
    text = dumps(circuit).text
    _Parser(text).parse()  # must not fall back
    _Parser(qasm3.dumps(circuit)).parse()
    buffer = io.BytesIO()
    qpy.dump(circuit, buffer)
    blob = buffer.getvalue()
    ours = median_time(lambda: loads(text), repeat=repeat)
    reference = median_time(lambda: qasm3.loads(text), repeat=1 if repeat < 5 else 3, warmup=0)
    floor = median_time(lambda: qpy.load(io.BytesIO(blob)), repeat=repeat)
    return {"circuit": name, "instructions": len(circuit.data), "ours_s": ours,
            "qasm3_loads_s": reference, "qpy_load_s": floor,
            "x_faster_than_qasm3_loads": reference / ours, "x_of_qpy_load": ours / floor}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2-layer circuits, few repeats")
    args = parser.parse_args()
    steps, repeat = (2, 3) if args.quick else (20, 9)
    circuits = {f"trotter{steps}": trotter_isa(steps),
                f"trotter{steps}_1000p" if not args.quick else f"trotter{steps}_100p":
                    trotter_isa_parametric(steps, 100 if args.quick else 1000)}
    emit = [bench_emit(name, qc, repeat) for name, qc in circuits.items()]
    print_table("emit (seconds; ratios are peer/ours, and ours/floor)", emit)
    parse = [bench_parse(name, qc, repeat) for name, qc in circuits.items()]
    print_table("parse (seconds; ratios are peer/ours, and ours/qpy.load)", parse)
    payload = {"when": datetime.now(timezone.utc).isoformat(), "quick": args.quick,
               "python": sys.version.split()[0], "qiskit": qiskit.__version__,
               "machine": platform.machine(), "emit": emit, "parse": parse}
    path = write_json("qasm3_quick" if args.quick else "qasm3", payload)
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
