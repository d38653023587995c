"""OpenQASM 3 emitter and parser against their peers, on brisbane-transpiled Trotter circuits.

Emitter peers: ``qasm3.dumps``, the official client's QPY+zlib+base64 encoding
(``json.dumps(circuit, cls=RuntimeEncoder)``) and a one-pass floor over ``circuit.data``,
timed in interleaved rounds, on the same circuit and on freshly loaded ones.
Parser peers: ``qasm3.loads`` and ``qpy.load`` (the floor). Medians with the GC on.

    python bench/bench_qasm3.py [--quick]
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import statistics
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import qiskit
from _common import interleaved_times, median_ratio, median_time, print_table, write_json
from circuits import trotter_isa, trotter_isa_parametric
from qiskit import QuantumCircuit, qasm3, qpy
from qiskit_ibm_runtime import RuntimeEncoder

from qiskit_rest_primitives._codec._qasm3 import _Emitter, dumps, dumps_reference
from qiskit_rest_primitives._codec._qasm3_native import native_text
from qiskit_rest_primitives.local.circuits._qasm3_parser import _Parser, loads


def _floor(circuit: QuantumCircuit) -> None:
    """The least any emitter must do: one pass touching each instruction's name, bits, params."""
    for inst in circuit.data:
        inst.name, inst.qubits, inst.params  # noqa: B018


def _official(circuit: QuantumCircuit) -> str:
    return json.dumps(circuit, cls=RuntimeEncoder)


def bench_emit(name: str, circuit: QuantumCircuit, repeat: int) -> dict[str, Any]:
    """Interleaved rounds (see ``interleaved_times``), on the same circuit and on fresh ones."""
    _Emitter(circuit).program()  # the Python emitter must not fall back: it is timed too
    buffer = io.BytesIO()
    qpy.dump(circuit, buffer)
    blob = buffer.getvalue()

    def fresh() -> QuantumCircuit:
        loaded: QuantumCircuit = qpy.load(io.BytesIO(blob))[0]
        return loaded

    funcs: dict[str, Callable[[QuantumCircuit], Any]] = {
        "ours": dumps, "python_emitter": lambda c: _Emitter(c).program(),
        "qasm3_dumps": dumps_reference, "official_qpy": _official, "floor": _floor}
    for func in funcs.values():
        func(circuit)  # warm-up
    row: dict[str, Any] = {"circuit": name, "instructions": len(circuit.data),
                           "path": "rust" if native_text(circuit) is not None else "python"}
    for prefix, subject in (("", lambda: circuit), ("fresh_", fresh)):
        times = interleaved_times(funcs, subject, rounds=repeat)
        row.update({f"{prefix}{key}_s": statistics.median(values)
                    for key, values in times.items()})
        row.update({
            f"{prefix}x_faster_than_qasm3_dumps": median_ratio(times["qasm3_dumps"], times["ours"]),
            f"{prefix}x_faster_than_official": median_ratio(times["official_qpy"], times["ours"]),
            f"{prefix}x_of_floor": median_ratio(times["ours"], times["floor"]),
            f"{prefix}python_emitter_x_faster_than_qasm3_dumps":
                median_ratio(times["qasm3_dumps"], times["python_emitter"])})
    row.update({"qasm_bytes": len(dumps(circuit).text.encode()),
                "official_bytes": len(_official(circuit).encode())})
    return row


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
