"""Sessions and batches: group jobs, watch them run, and get them back later by id.

A *session* reserves the backend for a sequence of jobs that depend on each other (an
iterative algorithm: each job waits for the previous result). A *batch* groups independent jobs
that the backend may run in any order, as soon as it can. Both are context managers: primitives
made inside the ``with`` block without a ``mode`` join it, and leaving the block closes it (jobs
already submitted still run).

Run: ``python tutorials/sessions_and_batches.py`` (local server unless IBM credentials are set).
"""

from __future__ import annotations

import time

from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager

import qiskit_rest_primitives as qrp

from _runtime import backend_name, runtime_service


def ghz(n: int) -> QuantumCircuit:
    """An n-qubit GHZ state, measured."""
    circuit = QuantumCircuit(n)
    circuit.h(0)
    for qubit in range(n - 1):
        circuit.cx(qubit, qubit + 1)
    circuit.measure_all()
    return circuit


def main() -> None:
    with runtime_service() as service:
        backend = service.backend(backend_name())
        pm = generate_preset_pass_manager(optimization_level=1, backend=backend)

        # 1. A session: a sampler job, then an estimator job that could depend on its result.
        with qrp.Session(backend=backend, max_time="10m") as session:
            print(f"Session {session.session_id} on {session.backend()}: {session.status()}")
            sampler = qrp.SamplerV2()            # no mode: joins the session of the with block
            counts = sampler.run([pm.run(ghz(3))], shots=500).result()[0].data.meas.get_counts()
            print(f"  GHZ-3 counts: {dict(sorted(counts.items()))}")

            bell = QuantumCircuit(2)
            bell.h(0)
            bell.cx(0, 1)
            isa = pm.run(bell)
            estimator = qrp.EstimatorV2(mode=session)    # or name the session explicitly
            pub = (isa, SparsePauliOp("ZZ").apply_layout(isa.layout))
            data = estimator.run([pub]).result()[0].data
            print(f"  <ZZ> of the Bell state: {data.evs:+.3f} +- {data.stds:.3f} (exact: 1)")
        print(f"After the with block: accepting_jobs={session.accepting_jobs}")

        # 2. A batch: submit everything at once, then watch the jobs finish.
        with qrp.Batch(backend=backend) as batch:
            sampler = qrp.SamplerV2(mode=batch)
            jobs = [sampler.run([pm.run(ghz(n))], shots=200) for n in (2, 3, 4, 5)]
        print(f"Batch {batch.session_id}: submitted {[job.job_id() for job in jobs]}")

        # 3. Monitor: status() asks the service ("QUEUED", "RUNNING", "DONE", "ERROR",
        # "CANCELLED"); once a job is final it stops asking. Print each change as it happens.
        seen: list[str] = []
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            statuses = [job.status() for job in jobs]
            if statuses != seen:
                print(f"  {time.strftime('%H:%M:%S')} statuses: {statuses}")
                seen = statuses
            if all(job.in_final_state() for job in jobs):
                break
            time.sleep(0.2)
        # wait_for_final_state(timeout=...) blocks instead; result(timeout=...) also fetches.

        # 4. Retrieve: a job id is all you need, from this program or a later one.
        first_id = jobs[0].job_id()
        again = service.job(first_id)
        counts = again.result()[0].data.meas.get_counts()
        print(f"Job {first_id} fetched again: {again.status()},"
              f" counts {dict(sorted(counts.items()))}")
        print(f"  created {again.creation_date:%Y-%m-%d %H:%M:%S}, usage {again.usage()} s,"
              f" program {again.program_id}, session {again.session_id}")
        again.update_tags(["tutorial", "ghz"])
        print(f"  tags now {again.tags}")

        # 5. List: the service's job list filters by session, backend, tags, dates...
        in_batch = service.jobs(session_id=batch.session_id, limit=10)
        print(f"Jobs in the batch: {len(in_batch)}; newest first: {[j.job_id() for j in in_batch]}")
        tagged = service.jobs(job_tags=["ghz"], limit=5)
        print(f"Jobs tagged 'ghz': {[j.job_id() for j in tagged]}")
        print(f"Batch status: {batch.status()}")


if __name__ == "__main__":
    main()
