"""A server restarted on its database while a job waits; and the crash-safe submission journal."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from qiskit import QuantumCircuit

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives import RuntimeService
from qiskit_rest_primitives.local import LocalRuntimeServer

from .conftest import BACKEND, POLL, RETRY, TIMEOUTS, behind, trial
from .proxy import FaultProxy


def test_server_restart_with_db_during_result(tmp_path: Path, isa_bell: QuantumCircuit) -> None:
    db = str(tmp_path / "runtime.db")
    first = LocalRuntimeServer(db=db, seed=7).start()
    try:
        with FaultProxy(first.port) as proxy, behind(proxy, first) as service:
            first.pause_jobs()
            job = qrp.Sampler(mode=service.backend(BACKEND)).run([isa_bell], shots=10)
            assert first.counts() == {"jobs": 1, "sessions": 0}
            first.stop()  # the proxy now answers 502, as a gateway to a dead server does
            with trial(proxy, "server restart with --db during result(timeout=60)") as record:
                second = LocalRuntimeServer(db=db, seed=7).start()
                proxy.upstream_port = second.port
                result = job.result(timeout=60)
                record.outcome = "result"
            assert result[0].data.meas.num_shots == 10
            assert second.counts() == {"jobs": 1, "sessions": 0}
            second.stop()
    finally:
        first.stop()


def test_server_killed_mid_job_and_restarted_on_its_db(tmp_path: Path,
                                                        isa_bell: QuantumCircuit) -> None:
    """``kill -9`` of a ``serve --db`` process right after a submission; a new server on the
    same file takes over behind the proxy, and the wait ends with the one job's result."""
    db = str(tmp_path / "runtime.db")
    command = [sys.executable, "-m", "qiskit_rest_primitives.local._cli", "serve", "--port", "0",
               "--db", db, "--seed", "7"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        printed = dict(line.split(":", 1) for line in
                       (process.stdout.readline() for _ in range(4)))
        url, iam = printed["Runtime API"].strip(), printed["IAM URL"].strip()
        port = int(url.split(":")[2].split("/")[0])
        with FaultProxy(port) as proxy, qrp.QiskitRuntimeService(
                api_key=printed["API key"].strip(), instance=printed["CRN"].strip(),
                url=proxy.base_url + "/api/v1", iam_url=proxy.base_url + "/identity/token",
                retry=RETRY, poll=POLL, timeout=TIMEOUTS) as service:
            assert iam.endswith("/identity/token")
            sampler = qrp.Sampler(mode=service.backend(BACKEND))
            job = sampler.run([isa_bell], shots=4000)
            process.kill()
            process.wait(timeout=30)
            with trial(proxy, "kill -9 of serve --db after submit, restart") as record:
                second = LocalRuntimeServer(db=db, seed=7).start()
                try:
                    proxy.upstream_port = second.port
                    result = job.result(timeout=60)
                    record.outcome = "result"
                    assert second.counts() == {"jobs": 1, "sessions": 0}
                finally:
                    second.stop()
            assert result[0].data.meas.num_shots == 4000
    finally:
        process.kill()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


def test_journal_records_before_run_returns(tmp_path: Path, server: LocalRuntimeServer,
                                            proxy: FaultProxy, isa_bell: QuantumCircuit) -> None:
    path = tmp_path / "cache" / "journal.jsonl"
    with behind(proxy, server, journal=str(path)) as service:
        backend = service.backend(BACKEND)
        with qrp.Session(backend=backend) as session:
            job = qrp.Sampler(mode=session).run([isa_bell], shots=10)
        (entry,) = service.journal.entries() if service.journal else ()
        assert entry.job_id == job.job_id() and entry.session_id == session.session_id
        assert entry.backend == BACKEND and entry.program_id == "sampler"
        assert entry.tag.startswith("qrp-submit-") and entry.url == service.url
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text()
    assert server.api_key not in text and "Bearer" not in text


def test_jobs_from_the_journal_after_a_crash(tmp_path: Path, server: LocalRuntimeServer,
                                             isa_bell: QuantumCircuit) -> None:
    """A process that submitted two jobs is killed; another finds them from the journal,
    including one whose answer it never saw (the journal has only its tag)."""
    path = tmp_path / "journal.jsonl"
    circuit = tmp_path / "bell.qpy"
    from qiskit import qpy

    with circuit.open("wb") as out:
        qpy.dump(isa_bell, out)
    script = textwrap.dedent(f"""
        import os
        from qiskit import qpy
        import qiskit_rest_primitives as qrp
        service = qrp.QiskitRuntimeService(api_key={server.api_key!r},
            instance={server.instance!r}, url={server.url!r}, iam_url={server.iam_url!r},
            journal={str(path)!r})
        with open({str(circuit)!r}, "rb") as f:
            (bell,) = qpy.load(f)
        sampler = qrp.Sampler(mode=service.backend({BACKEND!r}))
        sampler.run([bell], shots=10)
        sampler.run([bell], shots=20)
        os._exit(9)  # killed: no cleanup, no flush beyond what the journal did
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", script], env=env, timeout=120, check=False,
                          capture_output=True, text=True)
    assert done.returncode == 9, done.stderr
    # Forget the second job's answer, as if the process died between the post and the record.
    lines = path.read_text().splitlines()
    assert [json.loads(line)["event"] for line in lines] == ["intent", "created"] * 2
    path.write_text("\n".join(lines[:3]) + "\n")

    with server.service(journal=str(path)) as service:
        jobs = service.jobs(journal=True)
        assert len(jobs) == 2 and server.counts()["jobs"] == 2
        shots = sorted(j.result(timeout=30)[0].data.meas.num_shots for j in jobs)
        assert shots == [10, 20]
        assert all(j.status() == "DONE" for j in jobs)
        other = server.service(journal=str(tmp_path / "elsewhere.jsonl"))
        assert other.jobs(journal=True) == []


def test_journal_skips_a_torn_line(tmp_path: Path) -> None:
    from qiskit_rest_primitives._transport._journal import SubmissionJournal

    journal = SubmissionJournal(tmp_path / "j.jsonl")
    journal.intent(tag="qrp-submit-a", url="u", instance=None, backend="b", session_id=None,
                   program_id="sampler")
    with (tmp_path / "j.jsonl").open("a") as out:
        out.write('{"event":"created","tag":"qrp-sub')  # the crash cut this line
    (entry,) = journal.entries()
    assert entry.tag == "qrp-submit-a" and entry.job_id is None


def test_default_journal_path_is_the_user_cache(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    from qiskit_rest_primitives._transport._journal import ENV_JOURNAL, default_path

    monkeypatch.delenv(ENV_JOURNAL, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert default_path() == tmp_path / "qiskit-rest-primitives" / "submissions.jsonl"
    monkeypatch.setenv(ENV_JOURNAL, str(tmp_path / "mine.jsonl"))
    assert default_path() == tmp_path / "mine.jsonl"


def test_service_without_journal_writes_nothing(service: RuntimeService) -> None:
    assert service.journal is None
