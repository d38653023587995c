"""Local testing mode against the official client's local mode, in the same run.

Ours sends every job over loopback HTTP to the embedded local server (encode, validate, submit,
poll, decode); the official ``qiskit_ibm_runtime.SamplerV2(mode=fake_backend)`` calls Aer in
process. Both run a Bell circuit (1,000 shots) on the same noisy ``GenericBackendV2(5)``; rounds
are interleaved and the table gives the median of per-round ratios. Also timed: the first use
(embedded server start plus hand-over of the backend) and the hand-over of a 127-qubit fake
device.

    python bench/bench_local_mode.py [--quick]
"""

from __future__ import annotations

import argparse
import time
import warnings
from typing import Any

from _common import interleaved_times, median_ratio, print_table, write_json
from qiskit import QuantumCircuit
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.transpiler import generate_preset_pass_manager

import qiskit_rest_primitives as qrp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    rounds = 5 if parser.parse_args().quick else 30
    warnings.simplefilter("ignore", DeprecationWarning)  # the official primitives' notice
    import qiskit_ibm_runtime as official
    from qiskit_ibm_runtime.fake_provider import FakeSherbrooke

    generic = GenericBackendV2(5, seed=1)
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()
    isa = generate_preset_pass_manager(optimization_level=1, backend=generic,
                                       seed_transpiler=1).run(bell)
    start = time.perf_counter()
    ours = qrp.SamplerV2(mode=generic)
    first_use = time.perf_counter() - start
    theirs = official.SamplerV2(mode=generic)

    def run(sampler: Any) -> None:
        sampler.run([isa], shots=1000).result()

    times = interleaved_times({"ours": lambda _: run(ours), "official": lambda _: run(theirs)},
                              lambda: None, rounds=rounds)
    fake = FakeSherbrooke()
    fake.target  # noqa: B018 - built before timing, as a user's transpile would have done
    start = time.perf_counter()
    qrp.SamplerV2(mode=fake)
    hand_over_127 = time.perf_counter() - start
    median = {key: sorted(values)[len(values) // 2] for key, values in times.items()}
    rows = [
        {"measure": "Bell job, 1,000 shots (median s)", "ours": median["ours"],
         "official local mode": median["official"],
         "ratio ours/official": median_ratio(times["ours"], times["official"])},
        {"measure": "first use: server start + hand-over (s)", "ours": first_use,
         "official local mode": None, "ratio ours/official": None},
        {"measure": "hand-over of FakeSherbrooke, 127 qubits (s)", "ours": hand_over_127,
         "official local mode": None, "ratio ours/official": None},
    ]
    print_table("Local testing mode (wire in the loop) vs the official local mode", rows)
    write_json("local_mode" + ("_quick" if rounds < 30 else ""),
               {"rounds": rounds, "rows": rows, "times": times})


if __name__ == "__main__":
    main()
