"""Server benchmarks: the API while simulations run, cancel, parallel workers, per-job overhead.

    python bench/bench_server.py [--quick]

Each figure runs against a fresh ``qiskit-rest-primitives serve`` process (``--workers 1`` or
``2``), so the server's threads and its worker processes are not ours. Every row has a peer
measured in the same run: the idle server, or the same jobs one at a time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import requests
from _common import median_time, report_tables
from bench_client import _bell

import qiskit_rest_primitives as qrp

SRC = str(Path(__file__).resolve().parents[1] / "src")
API_VERSION = "2026-04-15"
BELL = ('OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] meas;\nrz(pi/2) $0;\nsx $0;\n'
        "rz(pi/2) $0;\ncx $0, $1;\nmeas[0] = measure $0;\nmeas[1] = measure $1;\n")


def long_qasm(layers: int) -> str:
    """An ``ibmq_manila`` circuit whose mid-circuit measurements make Aer go shot by shot."""
    layer = "".join(f"sx ${q};\n" for q in range(5))
    layer += "cx $0, $1;\ncx $1, $2;\ncx $3, $4;\nc[0] = measure $0;\n"
    return 'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[1] c;\n' + layer * layers


def body(qasm: str, shots: int) -> dict[str, Any]:
    return {"program_id": "sampler", "backend": "ibmq_manila",
            "params": {"pubs": [[qasm, None, shots]], "version": 2, "support_qiskit": True}}


class Client:
    """Raw HTTP as one instance, on its own connection pool."""

    def __init__(self, url: str, iam_url: str, api_key: str, crn: str) -> None:
        self.url, self.http = url, requests.Session()
        token = requests.post(iam_url, timeout=30, data={
            "grant_type": "urn:ibm:params:oauth:grant-type:apikey",
            "apikey": api_key}).json()["access_token"]
        self.http.headers.update({"Authorization": f"Bearer {token}", "Service-CRN": crn,
                                  "IBM-API-Version": API_VERSION})

    def submit(self, job: dict[str, Any]) -> str:
        response = self.http.post(self.url + "/jobs", json=job, timeout=60)
        response.raise_for_status()
        return str(response.json()["id"])

    def status(self, job_id: str) -> str:
        doc = self.http.get(f"{self.url}/jobs/{job_id}?exclude_params=true", timeout=60).json()
        return str(doc["state"]["status"])

    def wait(self, job_id: str, until: tuple[str, ...] = ("Completed", "Failed", "Cancelled"),
             timeout: float = 120.0) -> float:
        """Poll every 5 ms until the job's status is in ``until``; the monotonic time then."""
        deadline = time.monotonic() + timeout
        while (status := self.status(job_id)) not in until:
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {status}")
            time.sleep(0.005)
        return time.monotonic()


@contextmanager
def serve(workers: int) -> Iterator[dict[str, Any]]:
    """A ``serve --workers N`` process with a second instance; its JSON banner."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "qiskit_rest_primitives.local._cli", "serve", "--port", "0",
         "--json", "--log-level", "warning", "--workers", str(workers),
         "--extra-instance", "second"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": SRC})
    try:
        assert proc.stdout is not None
        banner: dict[str, Any] = json.loads(proc.stdout.readline())
        first = Client(banner["url"], banner["iam_url"], banner["api_key"], banner["instance"])
        extra = banner["extra_instances"][0]
        second = Client(banner["url"], banner["iam_url"], extra["api_key"], extra["crn"])
        first.wait(first.submit(body(BELL, 100)))  # the worker processes have imported Aer
        yield {**banner, "first": first, "second": second}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()


def _poll_ms(client: Client, job_id: str, polls: int) -> list[float]:
    times = []
    for _ in range(polls):
        start = time.perf_counter()
        client.status(job_id)
        times.append((time.perf_counter() - start) * 1e3)
    return times


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def bench_responsive(polls: int, layers: int) -> list[dict[str, Any]]:
    """``GET /jobs/{id}`` latency and another instance's Bell job while a long simulation runs
    (``--workers 2``), against the same on the idle server."""
    with serve(2) as server:
        first, second = server["first"], server["second"]
        probe = first.submit(body(BELL, 100))
        first.wait(probe)
        poller = Client(server["url"], server["iam_url"], server["api_key"], server["instance"])
        idle_ms = _poll_ms(poller, probe, polls)
        start = time.monotonic()
        idle_bell = second.wait(second.submit(body(BELL, 100))) - start
        long_id = first.submit(body(long_qasm(layers), 100000))
        first.wait(long_id, until=("Running",))
        time.sleep(1.0)  # well into the simulation
        busy_ms = _poll_ms(poller, long_id, polls)
        start = time.monotonic()
        busy_bell = second.wait(second.submit(body(BELL, 100))) - start
        still = first.status(long_id)
        first.http.post(f"{first.url}/jobs/{long_id}/cancel", timeout=60)
    return [{"polls": polls, "idle_p50_ms": statistics.median(idle_ms),
             "idle_p99_ms": _p99(idle_ms), "busy_p50_ms": statistics.median(busy_ms),
             "busy_p99_ms": _p99(busy_ms), "idle_bell_s": idle_bell, "busy_bell_s": busy_bell,
             "long_job_still": still}]


def bench_cancel(layers: int, repeat: int) -> list[dict[str, Any]]:
    """Cancel a running simulation (``--workers 1``): until the job reads Cancelled, and until
    a Bell job submitted right after has completed (the worker is free again).

    The killed worker is replaced by the warm spare, and a new spare starts (importing Qiskit
    and Aer takes seconds on a busy machine); each repeat waits for it, as a second kill
    within that time would wait for the new spare.
    """
    rows = []
    with serve(1) as server:
        first = server["first"]
        start = time.monotonic()
        idle_bell = first.wait(first.submit(body(BELL, 100))) - start
        for _ in range(repeat):
            time.sleep(8.0)  # the spare of the previous repeat has started
            long_id = first.submit(body(long_qasm(layers), 100000))
            first.wait(long_id, until=("Running",))
            time.sleep(1.0)
            start = time.monotonic()
            first.http.post(f"{first.url}/jobs/{long_id}/cancel", timeout=60).raise_for_status()
            bell = first.submit(body(BELL, 100))
            final = first.wait(long_id) - start
            free = first.wait(bell) - start
            rows.append({"final_s": final, "worker_free_s": free, "idle_bell_s": idle_bell})
    return [{"repeat": repeat, "final_s": max(r["final_s"] for r in rows),
             "worker_free_s": max(r["worker_free_s"] for r in rows),
             "worker_free_median_s": statistics.median(r["worker_free_s"] for r in rows),
             "idle_bell_s": idle_bell}]


def _service(server: dict[str, Any]) -> qrp.RuntimeService:
    return qrp.RuntimeService(api_key=server["api_key"], instance=server["instance"],
                              url=server["url"], iam_url=server["iam_url"])


class _CpuClock:
    """CPU seconds used so far by the server process, its worker processes and this client."""

    def __init__(self, server_pid: int) -> None:
        self._server = psutil.Process(server_pid)

    def read(self) -> dict[str, float]:
        workers = 0.0
        for child in self._server.children(recursive=True):
            with contextlib.suppress(psutil.Error):  # a worker replaced meanwhile
                workers += sum(child.cpu_times()[:2])
        return {"server": sum(self._server.cpu_times()[:2]), "workers": workers,
                "client": time.process_time()}


def _cpu_ms(before: dict[str, float], after: dict[str, float], jobs: int) -> dict[str, float]:
    used = {f"cpu_{k}_ms": (after[k] - before[k]) * 1e3 / jobs for k in before}
    return {**used, "cpu_total_ms": sum(used.values())}


def _settle(clock: _CpuClock) -> None:
    """Wait until the worker processes idle (spares started by the warm-up have imported Aer)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        before = clock.read()["workers"]
        time.sleep(1.0)
        if clock.read()["workers"] - before < 0.02:
            return


def bench_thread_pool(jobs: int, workers: int, repeat: int) -> list[dict[str, Any]]:
    """``jobs`` Bell jobs one at a time, then from a thread pool (our client), alternating.

    The pool is Python's default ``ThreadPoolExecutor()`` (min(32, cores + 4) threads), what a
    user writes. CPU per job is counted for each process: the server's API process, its worker
    processes and this client. On ``cores`` cores the pool cannot finish faster than total CPU
    per job ÷ cores, hence ``cpu_bound_speedup``: the sequential time over that floor.
    """
    with serve(workers) as server, _service(server) as service:
        backend = service.backend("ibmq_manila")
        sampler, isa = qrp.Sampler(mode=backend), _bell(backend)
        clock = _CpuClock(server["pid"])
        cores = os.cpu_count() or 1

        def one(_: int) -> None:
            sampler.run([isa], shots=100).result()

        rows = []
        with ThreadPoolExecutor() as pool:
            threads = pool._max_workers
            list(pool.map(one, range(4 * threads)))  # the token and the pooled connections
            _settle(clock)
            for _ in range(repeat):
                before, start = clock.read(), time.perf_counter()
                for i in range(jobs):
                    one(i)
                sequential = time.perf_counter() - start
                seq_cpu = _cpu_ms(before, clock.read(), jobs)
                before, start = clock.read(), time.perf_counter()
                list(pool.map(one, range(jobs)))
                pooled = time.perf_counter() - start
                pool_cpu = _cpu_ms(before, clock.read(), jobs)
                floor = pool_cpu["cpu_total_ms"] / 1e3 * jobs / cores
                rows.append({"jobs": jobs, "workers": workers, "threads": threads,
                             "sequential_s": sequential, "thread_pool_s": pooled,
                             "speedup": sequential / pooled,
                             "cpu_bound_speedup": sequential / floor,
                             **{f"seq_{k}": v for k, v in seq_cpu.items()},
                             **{f"pool_{k}": v for k, v in pool_cpu.items()}})
    rows.sort(key=lambda row: row["speedup"])
    return [{**rows[len(rows) // 2], "speedup_range": [rows[0]["speedup"], rows[-1]["speedup"]]}]


def bench_overhead(repeat: int) -> list[dict[str, Any]]:
    """A Bell job's wall time in the client minus its simulation (the result's execution span),
    against one bare HTTP round trip (``GET /backends/{name}/status``)."""
    with serve(1) as server, _service(server) as service:
        backend = service.backend("ibmq_manila")
        sampler, isa = qrp.Sampler(mode=backend), _bell(backend)
        sampler.run([isa], shots=100).result()
        rtt = median_time(lambda: service._rest.get_backend_status("ibmq_manila"), repeat=50)
        overheads, totals = [], []
        for _ in range(repeat):
            start = time.perf_counter()
            result = sampler.run([isa], shots=100).result()
            total = time.perf_counter() - start
            spans = result.metadata["execution"]["execution_spans"]
            simulated = (spans.stop - spans.start).total_seconds()
            totals.append(total)
            overheads.append(total - simulated)
    overhead = statistics.median(overheads)
    return [{"round_trip_ms": rtt * 1e3, "job_total_ms": statistics.median(totals) * 1e3,
             "wall_overhead_ms": overhead * 1e3, "in_round_trips": overhead / rtt}]



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    args = parser.parse_args()
    quick = args.quick
    report: dict[str, Any] = {"quick": quick}
    # 400 layers at 100000 shots simulate for a minute or more on a 2-core machine.
    report["responsive"] = bench_responsive(polls=50 if quick else 200, layers=400)
    report["cancel"] = bench_cancel(layers=800, repeat=1 if quick else 3)
    report["thread_pool"] = [*bench_thread_pool(10 if quick else 50, 2, 1 if quick else 3),
                             *bench_thread_pool(10 if quick else 50, 1, 1 if quick else 3)]
    report["overhead"] = bench_overhead(5 if quick else 21)
    report_tables("server_quick" if quick else "server", report)


if __name__ == "__main__":
    main()
