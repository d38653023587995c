"""Client benchmarks: start-up, per-job overhead, payload size, batch scale, memory.

Each figure is a ratio against a peer measured in the same run:
``import qiskit``, a bare HTTP round trip, the official client's encoder, sequential jobs.
The local server runs in its own process, so timings and RSS are the client's alone.

    python bench/bench_client.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from typing import Any

import numpy as np
from _common import ServerProcess, median_time, print_table, write_json
from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_ibm_runtime import RuntimeEncoder

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives._codec._encode import dumps_body, encode_ndarray

#: Emulated network delay per request for the second batch run (a nearby cloud region).
LATENCY_S = 0.02


def _import_time(module: str, repeat: int) -> float:
    code = f"import time; t=time.perf_counter(); import {module}; print(time.perf_counter()-t)"
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True).stdout) for _ in range(repeat)]
    return statistics.median(times)


def bench_startup(repeat: int) -> list[dict[str, Any]]:
    base = _import_time("qiskit", repeat)
    rows = [{"module": "qiskit", "seconds": base, "ratio_vs_qiskit": 1.0}]
    for module in ("qiskit_rest_primitives", "qiskit_ibm_runtime"):
        seconds = _import_time(module, repeat)
        rows.append({"module": module, "seconds": seconds, "ratio_vs_qiskit": seconds / base})
    return rows


def _ours_json(array: np.ndarray) -> bytes:
    return dumps_body({"v": encode_ndarray(array)})


def _lists_json(array: np.ndarray) -> str:
    return json.dumps(array.tolist())


def _official_json(array: np.ndarray) -> str:
    return json.dumps(array, cls=RuntimeEncoder)


def bench_payload(repeat: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(0)
    rows = []
    for name, array in (("1000x1000 random sweep", rng.uniform(0, 6.3, (1000, 1000))),
                        ("1000x1000 linspace grid", np.tile(np.linspace(0, 1, 1000), (1000, 1))),
                        ("100x10 sweep", rng.uniform(0, 6.3, (100, 10)))):
        ours = dumps_body({"v": encode_ndarray(array)})
        lists = json.dumps(array.tolist()).encode()
        official = json.dumps(array, cls=RuntimeEncoder).encode()
        t_ours = median_time(partial(_ours_json, array), repeat=repeat)
        t_lists = median_time(partial(_lists_json, array), repeat=repeat)
        t_off = median_time(partial(_official_json, array), repeat=repeat)
        rows.append({"case": name, "ours_ms": t_ours * 1e3, "ours_bytes": len(ours),
                     "official_ms": t_off * 1e3, "official_bytes": len(official),
                     "json_lists_ms": t_lists * 1e3, "json_lists_bytes": len(lists),
                     "speedup_vs_official": t_off / t_ours})
    return rows


def _bell(backend: qrp.RuntimeBackend) -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return generate_preset_pass_manager(optimization_level=1, backend=backend).run(qc)


def _iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def bench_job_overhead(service: qrp.RuntimeService, repeat: int) -> list[dict[str, Any]]:
    """Per-job cost seen by the client, against one bare HTTP round trip to the same server.

    ``wall`` overhead is the job's wall time minus the server's created→finished span (it
    still holds the submit, poll and result round trips); ``cpu`` is the client process's CPU
    time per job (encode, HTTP handling, decode), the part the client itself adds.
    """
    backend = service.backend("ibmq_manila")
    isa = _bell(backend)
    sampler = qrp.Sampler(mode=backend)
    sampler.run([isa], shots=100).result()  # warm the connection pool and the token
    rtt = median_time(lambda: service._rest.get_backend_status("ibmq_manila"), repeat=50)
    overheads, totals, cpus = [], [], []
    for _ in range(repeat):
        cpu0, start = time.process_time(), time.perf_counter()
        job = sampler.run([isa], shots=100)
        job.result()
        total, cpu = time.perf_counter() - start, time.process_time() - cpu0
        stamps = job.metrics()["timestamps"]
        server = (_iso(stamps["finished"]) - _iso(stamps["created"])).total_seconds()
        totals.append(total)
        overheads.append(total - server)
        cpus.append(cpu)
    overhead, cpu = statistics.median(overheads), statistics.median(cpus)
    return [{"round_trip_ms": rtt * 1e3, "job_total_ms": statistics.median(totals) * 1e3,
             "wall_overhead_ms": overhead * 1e3, "wall_overhead_in_round_trips": overhead / rtt,
             "client_cpu_ms": cpu * 1e3, "client_cpu_in_round_trips": cpu / rtt}]


def _server_busy(jobs: list[qrp.RuntimeJob]) -> float:
    """Seconds the server's one job worker spent running these jobs (running→finished)."""
    busy = 0.0
    for job in jobs:
        stamps = job.metrics()["timestamps"]
        busy += (_iso(stamps["finished"]) - _iso(stamps["running"])).total_seconds()
    return busy


def bench_batch(service: qrp.RuntimeService, jobs: int, latency_ms: float, repeat: int = 3
                ) -> list[dict[str, Any]]:
    """``jobs`` jobs one after another, then from 16 threads sharing one service (median of
    ``repeat`` alternating runs, after a warm-up through the pool).

    The local server runs one job at a time (like one QPU), so the speed-up cannot exceed
    sequential time / server busy time; that ceiling is reported beside the speed-up.
    ``latency_ms`` is the emulated network delay the server adds to each request.
    """
    backend = service.backend("ibmq_manila")
    isa = _bell(backend)
    sampler = qrp.Sampler(mode=backend)

    def one(_: int) -> qrp.RuntimeJob:
        job = sampler.run([isa], shots=100)
        job.result()
        return job

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(one, range(16)))  # warm-up: the token and 16 pooled connections
        rows = []
        for _ in range(repeat):  # sequential and pooled runs alternate; the median row counts
            start = time.perf_counter()
            for i in range(jobs):
                one(i)
            sequential = time.perf_counter() - start
            start = time.perf_counter()
            done = list(pool.map(one, range(jobs)))
            pooled = time.perf_counter() - start
            busy = _server_busy(done)
            rows.append({"jobs": jobs, "latency_ms": latency_ms, "sequential_s": sequential,
                         "thread_pool_s": pooled, "speedup": sequential / pooled,
                         "server_busy_s": busy, "server_bound_ceiling": sequential / busy})
    rows.sort(key=lambda row: row["speedup"])
    return [{**rows[len(rows) // 2], "speedup_range": [rows[0]["speedup"], rows[-1]["speedup"]]}]


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def bench_memory(service: qrp.RuntimeService, jobs: int) -> list[dict[str, Any]]:
    backend = service.backend("ibmq_manila")
    isa = _bell(backend)
    sampler = qrp.Sampler(mode=backend)
    marks = []
    for i in range(jobs):
        sampler.run([isa], shots=100).result()
        if i in (jobs // 10, jobs // 2, jobs - 1):
            marks.append(_rss_mb())
    return [{"jobs": jobs, "rss_mb_at_10pct": marks[0], "rss_mb_at_50pct": marks[1],
             "rss_mb_at_end": marks[2], "growth_mb_after_warmup": marks[2] - marks[0]}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    jobs = 10 if args.quick else 50
    report: dict[str, Any] = {"quick": args.quick, "startup": bench_startup(repeat),
                              "payload": bench_payload(repeat)}
    with ServerProcess() as server, qrp.RuntimeService(**server.service_kwargs()) as service:
        report["job_overhead"] = bench_job_overhead(service, repeat * 3)
        report["batch"] = bench_batch(service, jobs, latency_ms=0.0)
        report["memory"] = bench_memory(service, 50 if args.quick else 1000)
    with ServerProcess(latency=LATENCY_S) as server, \
            qrp.RuntimeService(**server.service_kwargs()) as service:
        report["batch"] += bench_batch(service, jobs, latency_ms=LATENCY_S * 1e3)
    for name, rows in report.items():
        if isinstance(rows, list):
            print_table(name, rows)
    print(f"\nwrote {write_json('client_quick' if args.quick else 'client', report)}")


if __name__ == "__main__":
    main()
