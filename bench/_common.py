"""Shared helpers for the benchmark scripts: medians, tables, JSON output, a server process."""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def median_time(func: Callable[[], Any], *, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``func`` in seconds, with the garbage collector left on."""
    for _ in range(warmup):
        func()
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_times(funcs: dict[str, Callable[[Any], Any]], subject: Callable[[], Any], *,
                      rounds: int) -> dict[str, list[float]]:
    """Per-round wall times of each ``func(subject())``, timing only ``func``.

    Every round runs every function once, in turn, so a burst of load from other jobs on the
    machine hits ours and the peers alike; take the median of per-round ratios. ``subject``
    returns the object to work on: the same circuit (warm), or a freshly loaded one (cold: a
    circuit is usually encoded once, right after transpilation, before qiskit has filled its
    per-circuit caches).
    """
    times: dict[str, list[float]] = {key: [] for key in funcs}
    for _ in range(rounds):
        for key, func in funcs.items():
            item = subject()
            gc.collect()
            start = time.perf_counter()
            func(item)
            times[key].append(time.perf_counter() - start)
    return times


def median_ratio(numerator: list[float], denominator: list[float]) -> float:
    """Median over rounds of ``numerator[i] / denominator[i]``."""
    return statistics.median(a / b for a, b in zip(numerator, denominator, strict=True))


def print_table(title: str, rows: list[dict[str, Any]]) -> None:
    """Print rows (dicts with the same keys) as an aligned table."""
    if not rows:
        return
    keys = list(rows[0])
    cells = [[_fmt(row.get(k)) for k in keys] for row in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    print(f"\n## {title}")
    print("  ".join(k.ljust(w) for k, w in zip(keys, widths, strict=True)))
    for row_cells in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row_cells, widths, strict=True)))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def report_tables(name: str, report: dict[str, Any]) -> None:
    """Print every list of rows in ``report`` as a table, then write ``results/<name>.json``."""
    for title, rows in report.items():
        if isinstance(rows, list):
            print_table(title, rows)
    print(f"\nwrote {write_json(name, report)}")


def write_json(name: str, payload: dict[str, Any]) -> Path:
    """Write ``results/<name>.json`` and return its path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, default=str))
    return path


class ServerProcess:
    """The local server in its own process, so its threads, memory and GIL stay out of ours.

    ``latency`` (seconds) delays every API request on the server (its fault injection,
    an ``asyncio.sleep``), to emulate the network distance to a remote service.
    """

    def __init__(self, *, latency: float = 0.0, seed: int = 1) -> None:
        self._args = [sys.executable, __file__, "--latency", str(latency), "--seed", str(seed)]
        self._proc: subprocess.Popen[str] | None = None
        self.fields: dict[str, str] = {}

    def __enter__(self) -> ServerProcess:
        self._proc = subprocess.Popen(self._args, stdout=subprocess.PIPE, text=True)
        assert self._proc.stdout is not None
        for _ in range(4):  # "Runtime API:", "IAM URL:", "API key:", "CRN:"
            line = self._proc.stdout.readline()
            if not line:
                raise RuntimeError("the local server process exited before it listened")
            key, _, value = line.partition(":")
            self.fields[key.strip()] = value.strip()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=20)
            self._proc = None

    def service_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``RuntimeService`` pointing at this server."""
        return {"api_key": self.fields["API key"], "instance": self.fields["CRN"],
                "url": self.fields["Runtime API"], "iam_url": self.fields["IAM URL"]}


def _serve(latency: float, seed: int) -> None:
    """Run the server (the child side of :class:`ServerProcess`) until SIGTERM."""
    import signal
    import threading

    from qiskit_rest_primitives.local import LocalRuntimeServer

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with LocalRuntimeServer(seed=seed) as server:
        if latency > 0:
            server.inject_fault(None, r"^/api/v1/", status=None, count=10**12, delay=latency)
        print(f"Runtime API: {server.url}\nIAM URL: {server.iam_url}", flush=True)
        print(f"API key: {server.api_key}\nCRN: {server.instance}", flush=True)
        stop.wait()


if __name__ == "__main__":
    import argparse

    _parser = argparse.ArgumentParser(description="local server for the benchmarks")
    _parser.add_argument("--latency", type=float, default=0.0)
    _parser.add_argument("--seed", type=int, default=1)
    _args = _parser.parse_args()
    _serve(_args.latency, _args.seed)
