"""Benchmark: decode_result vs qiskit-ibm-runtime's RuntimeDecoder on large sampler results.

Run ``python bench/bench_decode.py`` (``--quick`` for a smoke run). Prints medians, ratios
against ``json.loads(text, cls=RuntimeDecoder)`` and against a floor (plain json + base64 +
zlib + frombuffer), peak extra memory (tracemalloc) relative to the decoded arrays' bytes, and
writes ``bench/results/decode.json``. Timings of all contenders are interleaved in one run,
so the ratios hold even on a busy machine.
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import platform
import statistics
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from qiskit.primitives.containers import BitArray, DataBin, PrimitiveResult, SamplerPubResult
from qiskit_ibm_runtime import RuntimeDecoder, RuntimeEncoder

from qiskit_rest_primitives._codec import _decode_arrays
from qiskit_rest_primitives._codec._decode import decode_result

RESULTS = Path(__file__).parent / "results" / "decode.json"
NUM_BITS = 127


def make_payload(shape: tuple[int, ...], shots: int, kind: str, seed: int = 1) -> str:
    """A sampler result with one 127-bit register, encoded by the official RuntimeEncoder."""
    rng = np.random.default_rng(seed)
    nbytes = (NUM_BITS + 7) // 8
    if kind == "random":  # a noisy 127-qubit device: close to incompressible
        array = rng.integers(0, 256, size=(*shape, shots, nbytes), dtype=np.uint8)
    else:  # "ghz": all zeros or all ones, highly compressible
        ones = rng.integers(0, 2, size=(*shape, shots, 1), dtype=np.uint8)
        array = np.repeat(ones * 0xFF, nbytes, axis=-1).astype(np.uint8)
    array[..., 0] &= (1 << (NUM_BITS % 8)) - 1
    data = DataBin(meas=BitArray(array, NUM_BITS), shape=shape)
    pub = SamplerPubResult(data, metadata={"circuit_metadata": {}})
    return json.dumps(PrimitiveResult([pub], metadata={"version": 2}), cls=RuntimeEncoder)


def floor(text: str) -> Any:
    """The least any decoder must do: parse, base64, inflate, view the npy body."""
    obj = json.loads(text)
    meas = obj["__value__"]["pub_results"][0]["__value__"]["data"]["__value__"]["fields"]["meas"]
    raw = zlib.decompress(base64.b64decode(meas["__value__"]["array"]["__value__"]))
    header_len = int.from_bytes(raw[8:10], "little")
    return np.frombuffer(raw, dtype=np.uint8, offset=10 + header_len)


def ours(accel: bool) -> Callable[[str], Any]:
    """decode_result with the optional pybase64 accelerator switched on or off."""

    def run(text: str) -> Any:
        _decode_arrays._USE_ACCEL = accel and _decode_arrays._ACCEL is not None
        return decode_result(text)

    return run


def contenders() -> dict[str, Callable[[str], Any]]:
    runners: dict[str, Callable[[str], Any]] = {
        "runtime_decoder": lambda text: json.loads(text, cls=RuntimeDecoder),
        "floor": floor,
        "ours_stdlib": ours(accel=False),
    }
    if _decode_arrays._ACCEL is not None:
        runners["ours_pybase64"] = ours(accel=True)
    return runners


def time_all(text: str, runners: dict[str, Callable[[str], Any]], repeat: int) -> dict[str, float]:
    """Median seconds per contender, with the contenders interleaved round by round."""
    samples: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(repeat):
        for name, run in runners.items():
            start = time.perf_counter()
            run(text)
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def peak_extra(text: str, run: Callable[[str], Any]) -> int:
    """Peak bytes allocated while decoding, above what was live before the call."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    result = run(text)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    del result
    return peak


def bench_case(
    name: str, shape: tuple[int, ...], shots: int, kind: str, repeat: int
) -> dict[str, Any]:
    text = make_payload(shape, shots, kind)
    runners = contenders()
    expected = json.loads(text, cls=RuntimeDecoder)[0].data.meas.array
    for run_name in ("ours_stdlib", "ours_pybase64"):
        if run_name in runners:
            got = runners[run_name](text)[0].data.meas.array
            assert np.array_equal(got, expected), f"{run_name} decoded {name} wrongly"
    medians = time_all(text, runners, repeat)
    ref = medians["runtime_decoder"]
    peaks = {run_name: peak_extra(text, run) for run_name, run in runners.items()}
    return {
        "case": name,
        "shape": list(shape),
        "shots": shots,
        "num_bits": NUM_BITS,
        "data": kind,
        "payload_bytes": len(text),
        "array_bytes": int(expected.nbytes),
        "repeat": repeat,
        "median_ms": {k: round(v * 1e3, 3) for k, v in medians.items()},
        "speedup_vs_runtime_decoder": {k: round(ref / v, 2) for k, v in medians.items()},
        "time_vs_floor": {k: round(v / medians["floor"], 2) for k, v in medians.items()},
        "peak_extra_over_array_bytes": {k: round(v / expected.nbytes, 2) for k, v in peaks.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small payloads, few repeats")
    args = parser.parse_args()
    scale, repeat = (10, 5) if args.quick else (1, 15)
    cases = [
        ("sampler_100k_x127", (), 100_000 // scale, "random"),
        ("sweep_100x4096_x127", (100 // scale,), 4096, "random"),
        ("sampler_100k_x127_ghz", (), 100_000 // scale, "ghz"),
        ("sweep_100x4096_x127_ghz", (100 // scale,), 4096, "ghz"),
    ]
    report = []
    for name, shape, shots, kind in cases:
        row = bench_case(name, shape, shots, kind, repeat)
        report.append(row)
        print(
            f"\n{name}: payload {row['payload_bytes'] / 1e6:.1f} MB, arrays {row['array_bytes'] / 1e6:.1f} MB"
        )
        for contender, ms in row["median_ms"].items():
            print(
                f"  {contender:16s} {ms:9.2f} ms  x{row['speedup_vs_runtime_decoder'][contender]:5.2f}"
                f" vs RuntimeDecoder  {row['time_vs_floor'][contender]:5.2f} x floor"
                f"  peak extra {row['peak_extra_over_array_bytes'][contender]:.2f} x arrays"
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "numpy": np.__version__, "quick": args.quick}
    RESULTS.write_text(json.dumps({"meta": meta, "cases": report}, indent=2) + "\n")
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
