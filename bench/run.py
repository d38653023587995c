"""Run every benchmark, then print one table of ratios against named peers, goal by goal.

    python bench/run.py [--quick] [--no-run]

Each benchmark script runs in its own subprocess (its output goes to ``bench/results/*.log``);
this script then reads their JSON results and writes ``bench/results/summary.json`` and
``bench/results/summary.md``. ``--no-run`` only re-summarises existing results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from _common import RESULTS, print_table

HERE = Path(__file__).resolve().parent
#: Client first: it is the slowest to set up and the most likely to break.
SCRIPTS = ("bench_client.py", "bench_qasm3.py", "bench_decode.py", "bench_primitives.py",
           "bench_server.py")
#: "Flat" memory: RSS may grow at most this much between 10 % and 100 % of the jobs.
FLAT_MB = 5.0

Row = dict[str, Any]


def run_scripts(quick: bool) -> dict[str, float]:
    """Run each script in a subprocess; return its wall seconds. Fails loudly on error."""
    seconds = {}
    RESULTS.mkdir(exist_ok=True)
    decode = RESULTS / "decode.json"
    # bench_decode.py always writes decode.json; keep a full run's file out of a quick run.
    kept = decode.read_bytes() if quick and decode.exists() else None
    for script in SCRIPTS:
        args = [sys.executable, str(HERE / script), *(["--quick"] if quick else [])]
        log = RESULTS / f"{Path(script).stem}{'_quick' if quick else ''}.log"
        print(f"running {script} {'--quick ' if quick else ''}(log: {log})", flush=True)
        start = time.perf_counter()
        with log.open("w") as out:
            done = subprocess.run(args, cwd=HERE, stdout=out, stderr=subprocess.STDOUT, check=False)
        seconds[script] = round(time.perf_counter() - start, 1)
        if done.returncode != 0:
            sys.exit(f"{script} failed with exit code {done.returncode}; see {log}")
    if quick:
        decode.replace(RESULTS / "decode_quick.json")
        if kept is not None:
            decode.write_bytes(kept)
    return seconds


def goal(name: str, peer: str, ratio: float | None, target: str,
         check: Callable[[float], bool] | None, detail: str = "") -> Row:
    """One table row; ``check`` is ``None`` for figures reported without a goal."""
    met = "n/a" if check is None or ratio is None else ("met" if check(ratio) else "NOT MET")
    return {"measure": name, "peer": peer, "ratio": ratio, "goal": target, "status": met,
            "detail": detail}


def encoder_rows(qasm: dict[str, Any]) -> list[Row]:
    """Emitter vs qasm3.dumps, vs the official QPY encoding, and vs the one-pass floor.

    Each goal is shown for the same circuit encoded again and again, and (``fresh_``) for
    circuits just loaded, as after transpilation.
    """
    rows = []
    for case in qasm["emit"]:
        for prefix, label in (("", ""), ("fresh_", ", fresh circuit")):
            if f"{prefix}ours_s" not in case:
                continue

            def ms(key: str, case: dict[str, Any] = case, prefix: str = prefix) -> str:
                return f"{case[f'{prefix}{key}_s'] * 1e3:.1f} ms"

            name = f"encode {case['circuit']} ({case['instructions']} instr){label}"
            ours = f"ours {ms('ours')}"
            if "path" in case:
                ours += f" ({case['path']} path; Python emitter {ms('python_emitter')})"
            rows += [
                goal(name, "qasm3.dumps", case[f"{prefix}x_faster_than_qasm3_dumps"],
                     ">= 20x faster", lambda r: r >= 20, f"{ours}, peer {ms('qasm3_dumps')}"),
                goal(name, "official client (QPY)", case[f"{prefix}x_faster_than_official"],
                     ">= 2.5x faster", lambda r: r >= 2.5, f"{ours}, peer {ms('official_qpy')}"),
                goal(name, "one-pass floor", case[f"{prefix}x_of_floor"],
                     "<= 2x the floor's time", lambda r: r <= 2, f"{ours}, floor {ms('floor')}"),
            ]
    return rows


def parser_rows(qasm: dict[str, Any]) -> list[Row]:
    """Server-side OpenQASM 3 parser vs qasm3.loads."""
    return [goal(f"parse {case['circuit']} ({case['instructions']} instr)", "qasm3.loads",
                 case["x_faster_than_qasm3_loads"], ">= 100x faster", lambda r: r >= 100,
                 f"ours {case['ours_s'] * 1e3:.1f} ms, peer {case['qasm3_loads_s']:.2f} s")
            for case in qasm["parse"]]


def decoder_rows(decode: dict[str, Any]) -> list[Row]:
    """Result decoder vs RuntimeDecoder (speed and peak extra memory), per contender."""
    rows = []
    for case in decode["cases"]:
        shape = "x".join(str(n) for n in [*case["shape"], case["shots"], case["num_bits"]])
        name = f"decode {shape} {case['data']}"
        for who in ("ours_stdlib", "ours_pybase64"):
            if who not in case["median_ms"]:
                continue
            ms, ref = case["median_ms"][who], case["median_ms"]["runtime_decoder"]
            rows.append(goal(f"{name} [{who}]", "RuntimeDecoder",
                             case["speedup_vs_runtime_decoder"][who], ">= 3x faster",
                             lambda r: r >= 3, f"ours {ms:.1f} ms, peer {ref:.1f} ms"))
            rows.append(goal(f"{name} [{who}] memory", "decoded arrays",
                             case["peak_extra_over_array_bytes"][who], "peak extra <= 1.5x",
                             lambda r: r <= 1.5, f"arrays {case['array_bytes'] / 1e6:.1f} MB"))
    return rows


def _range(batch: dict[str, Any]) -> str:
    """`` (runs 1.1-1.7x)`` when the benchmark kept the spread of its repeated runs."""
    low_high = batch.get("speedup_range")
    return f" (runs {low_high[0]:.1f}-{low_high[1]:.1f}x)" if low_high else ""


def client_rows(client: dict[str, Any]) -> list[Row]:
    """Start-up, payloads, per-job overhead, thread-pool batch and memory."""
    rows = [goal("import qiskit_rest_primitives", "import qiskit", s["ratio_vs_qiskit"],
                 "<= 1.5x", lambda r: r <= 1.5, f"{s['seconds']:.3f} s")
            for s in client["startup"] if s["module"] == "qiskit_rest_primitives"]
    for case in client["payload"]:
        rows.append(goal(f"payload bytes {case['case']}", "official client bytes",
                         case["ours_bytes"] / case["official_bytes"], "reported", None,
                         f"ours {case['ours_bytes']} B, official {case['official_bytes']} B, "
                         f"encode {case['speedup_vs_official']:.2f}x faster"))
    job = client["job_overhead"][0]
    rtt = f"round trip {job['round_trip_ms']:.2f} ms"
    rows.append(goal("per-job client CPU", "HTTP round trip", job["client_cpu_in_round_trips"],
                     "<= 2 round trips", lambda r: r <= 2, f"{job['client_cpu_ms']:.2f} ms, {rtt}"))
    rows.append(goal("per-job wall overhead", "HTTP round trip",
                     job["wall_overhead_in_round_trips"], "<= 2 round trips", lambda r: r <= 2,
                     f"{job['wall_overhead_ms']:.2f} ms incl. submit+poll+result, {rtt}"))
    for batch in client["batch"]:
        where = f", +{batch['latency_ms']:.0f} ms/request" if batch.get("latency_ms") else ""
        rows.append(goal(f"{batch['jobs']} jobs, thread pool{where}", "sequential",
                         batch["speedup"], ">= 5x faster", lambda r: r >= 5,
                         f"{batch['thread_pool_s']:.2f} s vs {batch['sequential_s']:.2f} s; "
                         f"serial-server ceiling {batch['server_bound_ceiling']:.2f}x"
                         + _range(batch)))
    mem = client["memory"][0]
    rows.append(goal(f"RSS over {mem['jobs']} sequential jobs", "RSS at 10 %",
                     mem["growth_mb_after_warmup"], f"flat (growth <= {FLAT_MB} MB)",
                     lambda r: r <= FLAT_MB,
                     f"{mem['rss_mb_at_10pct']:.1f} -> {mem['rss_mb_at_end']:.1f} MB"))
    return rows


def primitives_rows(primitives: dict[str, Any]) -> list[Row]:
    """Sampler.run on a 100-qubit ansatz, its server parse, and the algorithm workloads."""
    rows = []
    for case in primitives["sampler_run"]:
        rows.append(goal(f"Sampler.run {case['circuit']} ({case['instructions']} instr, "
                         f"{case['parameters']} params)", "qasm3.dumps alone",
                         case["x_faster"], ">= 5x faster", lambda r: r >= 5,
                         f"ours {case['ours_s'] * 1e3:.1f} ms (validate, encode, POST; "
                         f"client CPU {case['ours_cpu_s'] * 1e3:.1f} ms), peer "
                         f"{case['peer_s'] * 1e3:.1f} ms; by CPU time {case['x_faster_cpu']:.1f}x"))
    for case in primitives["parse"]:
        rows.append(goal(f"server parse {case['circuit']}", "qasm3.loads",
                         case["x_faster"], ">= 100x faster", lambda r: r >= 100,
                         f"ours {case['ours_s'] * 1e3:.1f} ms, peer {case['peer_s']:.2f} s; "
                         f"by CPU time {case['x_faster_cpu']:.0f}x"))
    for case in primitives["algorithms"]:
        low, high = case["ratio_range"]
        rows.append(goal(case["workload"], "StatevectorEstimator in-process",
                         case["x_of_reference"], "<= 2x the wall time", lambda r: r <= 2,
                         f"ours {case['ours_s']:.2f} s, peer {case['reference_s']:.2f} s "
                         f"(runs {low:.1f}-{high:.1f}x); per iteration "
                         f"{case['jobs_per_iteration']:.2g} jobs, "
                         f"{case['requests_per_iteration']:.2g} requests"))
    return rows


def server_rows(server: dict[str, Any]) -> list[Row]:
    """The API while a simulation runs, cancel, two workers, per-job overhead (bench_server)."""
    live, stop, job = server["responsive"][0], server["cancel"][0], server["overhead"][0]
    rows = [
        goal("GET /jobs/{id} p99 during a simulation", "idle server p99",
             live["busy_p99_ms"] / live["idle_p99_ms"], "p99 <= 50 ms",
             lambda _: live["busy_p99_ms"] <= 50,
             f"busy p99 {live['busy_p99_ms']:.1f} ms (p50 {live['busy_p50_ms']:.1f}), idle p99 "
             f"{live['idle_p99_ms']:.1f} ms, {live['polls']} polls"),
        goal("other instance's Bell job during a simulation, --workers 2", "same on idle server",
             live["busy_bell_s"] / live["idle_bell_s"], "<= 2 s", lambda _: live["busy_bell_s"] <= 2,
             f"{live['busy_bell_s'] * 1e3:.0f} ms, idle {live['idle_bell_s'] * 1e3:.0f} ms"),
        *(goal(f"cancel a running simulation: {what}", "Bell job on idle server",
               stop[key] / stop["idle_bell_s"], "<= 1 s", lambda _, key=key: stop[key] <= 1,
               f"{stop[key] * 1e3:.0f} ms after the cancel (worst of {stop['repeat']})")
          for what, key in (("job final", "final_s"),
                            ("worker free (next Bell job done)", "worker_free_s"))),
        goal("per-job wall overhead (client wall - simulation span)", "HTTP round trip",
             job["in_round_trips"], "<= 3 round trips", lambda r: r <= 3,
             f"{job['wall_overhead_ms']:.2f} ms of {job['job_total_ms']:.2f} ms, round trip "
             f"{job['round_trip_ms']:.2f} ms"),
    ]
    for batch in server["thread_pool"]:
        rows.append(goal(f"{batch['jobs']} Bell jobs, thread pool, --workers {batch['workers']}",
                         "sequential", batch["speedup"], ">= 3x faster" if batch["workers"] == 2
                         else "reported", (lambda r: r >= 3) if batch["workers"] == 2 else None,
                         f"{batch['thread_pool_s']:.2f} s vs {batch['sequential_s']:.2f} s"
                         + _range(batch)))
    return rows


def load(name: str) -> dict[str, Any]:
    """One script's JSON result."""
    result: dict[str, Any] = json.loads((RESULTS / f"{name}.json").read_text())
    return result


def summarise(quick: bool) -> list[Row]:
    """Every goal row, from the scripts' JSON results."""
    suffix = "_quick" if quick else ""
    decode = load(f"decode{suffix}")
    return [*encoder_rows(load(f"qasm3{suffix}")), *parser_rows(load(f"qasm3{suffix}")),
            *decoder_rows(decode), *client_rows(load(f"client{suffix}")),
            *primitives_rows(load(f"primitives{suffix}")), *server_rows(load(f"server{suffix}"))]


def markdown(rows: list[Row]) -> str:
    """The goal table as Markdown, for docs/performance.md."""
    lines = ["| measure | peer | ratio | goal | status | detail |", "|---|---|---|---|---|---|"]
    for row in rows:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.3g}"
        status = f"**{row['status']}**" if row["status"] == "NOT MET" else row["status"]
        lines.append(f"| {row['measure']} | {row['peer']} | {ratio} | {row['goal']} | "
                     f"{status} | {row['detail']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run of every script")
    parser.add_argument("--no-run", action="store_true", help="only summarise existing results")
    args = parser.parse_args()
    seconds = {} if args.no_run else run_scripts(args.quick)
    rows = summarise(args.quick)
    print_table("goals (ratio = ours vs peer; see goal column for direction)", rows)
    name = "summary_quick" if args.quick else "summary"
    meta = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "quick": args.quick,
            "python": platform.python_version(), "machine": platform.machine(),
            "cores": os.cpu_count(), "script_seconds": seconds}
    previous = RESULTS / f"{name}.json"
    if args.no_run and previous.exists():  # keep when the measurements were taken
        meta = {**meta, **{k: json.loads(previous.read_text())["meta"][k]
                           for k in ("when", "script_seconds")}}
    not_met = [r for r in rows if r["status"] == "NOT MET"]
    summary = {"meta": meta, "goals": rows, "not_met": len(not_met)}
    (RESULTS / f"{name}.json").write_text(json.dumps(summary, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown(rows))
    print(f"\n{len(rows) - len(not_met)} of {len(rows)} rows met or reported; "
          f"{len(not_met)} not met. Wrote {RESULTS / name}.json and .md")


if __name__ == "__main__":
    main()
