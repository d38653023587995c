"""Server controls: request log, fault injection, reset, persistence, error capture, CLI."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from qiskit_rest_primitives.local import LocalRuntimeServer

from .conftest import BELL_MANILA, Api, sampler_body


def test_urls_and_request_log(api: Api) -> None:
    server = api.server
    assert server.url.startswith("http://127.0.0.1:") and server.url.endswith("/api/v1")
    assert server.iam_url == server.url.replace("/api/v1", "/identity/token")
    api.get("/jobs?limit=3&tags=a&tags=b")
    logged = server.requests[-1]
    assert logged.method == "GET" and logged.path == "/api/v1/jobs"
    assert logged.query == {"limit": "3", "tags": ["a", "b"]}
    assert logged.headers["IBM-API-Version"] == "2026-04-15"
    assert logged.status == 200
    api.post("/sessions", json={"mode": "batch"})
    assert json.loads(server.requests[-1].body) == {"mode": "batch"}


def test_the_request_log_keeps_the_most_recent_requests() -> None:
    """A long-running server keeps no more than ``request_log`` requests (bodies included)."""
    with LocalRuntimeServer(request_log=2) as small:
        for _ in range(4):
            requests.get(small.url + "/versions", timeout=10)
        requests.get(small.url + "/backends", timeout=10)  # 401: logged too
        assert [(r.path, r.status) for r in small.requests] == [
            ("/api/v1/versions", 200), ("/api/v1/backends", 401)]
    with LocalRuntimeServer(request_log=0) as none:
        assert requests.get(none.url + "/versions", timeout=10).status_code == 200
        assert none.requests == []


def test_fault_status_count_and_retry_after(api: Api) -> None:
    api.server.inject_fault(method="GET", path_regex=r"/backends$", status=503, count=2,
                            retry_after=3)
    first = api.get("/backends")
    assert first.status_code == 503 and first.headers["Retry-After"] == "3"
    assert "errors" in first.json()
    assert api.get("/backends").status_code == 503
    assert api.get("/backends").status_code == 200
    assert api.post("/sessions", json={"mode": "batch"}).status_code == 200  # other method


def test_fault_delay(api: Api) -> None:
    api.server.inject_fault(method="GET", path_regex=r"/versions", count=1, delay=0.3)
    response = api.get("/versions")
    assert response.status_code == 200
    assert response.elapsed.total_seconds() >= 0.25


def test_reset_clears_state(api: Api) -> None:
    api.submit(sampler_body([BELL_MANILA, None, 5]))
    api.server.inject_fault(path_regex="/x", count=5)
    api.server.reset()
    assert api.server.requests == []
    assert api.get("/jobs").json()["count"] == 0


def test_restart_with_same_db_keeps_finished_jobs(tmp_path: Path) -> None:
    db = str(tmp_path / "runtime.sqlite")
    with LocalRuntimeServer(db=db) as first:
        api = Api(first, first.api_key, first.instance)
        job_id = api.submit(sampler_body([BELL_MANILA, None, 16]))
        api.wait(job_id)
        results = api.get(f"/jobs/{job_id}/results").text
        key, crn = first.api_key, first.instance
    with LocalRuntimeServer(db=db) as second:
        assert (second.api_key, second.instance) == (key, crn)
        api = Api(second, key, crn)
        assert api.get(f"/jobs/{job_id}").json()["status"] == "Completed"
        assert api.get(f"/jobs/{job_id}/results").text == results


def test_start_is_fast_and_stop_is_clean() -> None:
    started = time.perf_counter()
    server = LocalRuntimeServer().start()
    elapsed = time.perf_counter() - started
    url = server.url
    server.stop()
    assert elapsed < 5  # generous: only guards against accidental multi-second startups
    try:
        requests.get(url + "/versions", timeout=2)
    except requests.ConnectionError:
        pass
    else:  # pragma: no cover - the port must be closed after stop()
        raise AssertionError("server still answering after stop()")


def test_cli_prints_credentials_and_exits_on_interrupt() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "qiskit_rest_primitives.local._cli", "serve", "--port", "0",
         "--extra-instance", "extra"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as proc:
        try:
            lines = [proc.stdout.readline() for _ in range(7)]  # type: ignore[union-attr]
            text = "".join(lines)
            assert lines[4].split() == ["Instance:", "extra"] and text.count("crn:v1:") == 2
            assert "http://127.0.0.1:" in text and "crn:v1:bluemix" in text
            assert "API key" in text
            url = next(line.split()[-1] for line in lines if "/api/v1" in line)
            assert requests.get(url + "/versions", timeout=5).status_code == 200
        finally:
            proc.send_signal(signal.SIGINT)  # like Ctrl-C
            proc.wait(timeout=15)
    assert proc.returncode == 0


def test_ctrl_c_in_a_terminal_prints_no_traceback() -> None:
    """Ctrl-C signals the whole foreground process group: the workers get SIGINT too."""
    with subprocess.Popen(
        [sys.executable, "-m", "qiskit_rest_primitives.local._cli", "serve", "--port", "0",
         "--json", "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    ) as proc:
        try:
            banner = json.loads(proc.stdout.readline())  # type: ignore[union-attr]
            token = requests.post(banner["iam_url"], timeout=10, data={
                "grant_type": "urn:ibm:params:oauth:grant-type:apikey",
                "apikey": banner["api_key"]}).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}", "Service-CRN": banner["instance"],
                       "IBM-API-Version": "2026-04-15"}
            job = requests.post(banner["url"] + "/jobs", json=sampler_body([BELL_MANILA]),
                                headers=headers, timeout=10).json()["id"]
            status, deadline = "", time.monotonic() + 60
            while status != "Completed" and time.monotonic() < deadline:  # a worker is up
                status = requests.get(f"{banner['url']}/jobs/{job}", headers=headers,
                                      timeout=10).json()["status"]
                time.sleep(0.05)
            assert status == "Completed"
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err


def _serve_fails(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qiskit_rest_primitives.local._cli", "serve", *args],
        capture_output=True, text=True, timeout=60, check=False)


def test_cli_start_failures_are_one_line(tmp_path: Path) -> None:
    with LocalRuntimeServer() as running:
        taken = str(running.port)
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{taken}: .*in use"):
            LocalRuntimeServer(port=running.port).start()
        in_use = _serve_fails("--port", taken)
    assert in_use.returncode == 1 and "Traceback" not in in_use.stderr
    assert in_use.stderr.strip().splitlines() == [
        f"qiskit-rest-primitives: cannot listen on 127.0.0.1:{taken}: Address already in use "
        "(another server there? port 0 picks a free one)"]
    missing = _serve_fails("--port", "0", "--db", str(tmp_path / "no" / "runtime.sqlite"))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert missing.stderr.strip() == ("qiskit-rest-primitives: No such file or directory: "
                                      f"{tmp_path / 'no' / 'runtime.sqlite'}")
    bad_port = _serve_fails("--port", "99999")
    assert bad_port.returncode == 2 and "argument --port: a port is 0 to 65535" in bad_port.stderr
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("not SQLite\n" * 100)
    wrong = _serve_fails("--port", "0", "--db", str(not_a_db))
    assert wrong.returncode == 1 and wrong.stderr.strip() == (
        f"qiskit-rest-primitives: --db {not_a_db}: file is not a database")


def test_cli_instance_commands_do_not_create_a_mistyped_db(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from qiskit_rest_primitives.local import _cli

    typo = str(tmp_path / "runtme.sqlite")
    assert _cli.main(["instances", "--db", typo]) == 1
    assert _cli.main(["update-instance", "x", "--db", typo, "--instance-limit-seconds", "5"]) == 1
    assert not Path(typo).exists()
    assert capsys.readouterr().err.splitlines() == [
        f"qiskit-rest-primitives: No such file or directory: {typo}"] * 2
    assert _cli.main(["create-instance", "x", "--db", str(tmp_path / "no" / "r.sqlite")]) == 1
    assert capsys.readouterr().err.strip() == (
        f"qiskit-rest-primitives: No such file or directory: {tmp_path / 'no' / 'r.sqlite'}")


def test_unfinished_jobs_are_requeued_after_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "runtime.sqlite")
    with LocalRuntimeServer(db=db) as first:
        first.pause_jobs()
        api = Api(first, first.api_key, first.instance)
        good = api.submit(sampler_body([BELL_MANILA, None, 16]))
        bad = api.submit(sampler_body([BELL_MANILA, None, 16]))
        key, crn = first.api_key, first.instance
    with sqlite3.connect(db) as conn:  # make one stored job undecodable
        conn.execute("UPDATE jobs SET params = ? WHERE id = ?", ('{"pubs": []}', bad))
    conn.close()
    with LocalRuntimeServer(db=db) as second:
        api = Api(second, key, crn)
        assert api.wait(good)["state"]["status"] == "Completed"
        failed = api.wait(bad)
        assert failed["state"]["status"] == "Failed" and failed["state"]["reason_code"] == 1002
        response = api.get(f"/jobs/{bad}/results")
        assert response.status_code == 200 and "Error code 1002" in response.text
        second.check_errors()


def test_cli_create_instance_in_db_file(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    from qiskit_rest_primitives.local import _cli

    db = str(tmp_path / "runtime.sqlite")
    assert _cli.main(["create-instance", "ci", "--db", db, "--backends", "ibmq_manila",
                      "--instance-limit-seconds", "100"]) == 0
    out = dict(line.split(":", 1) for line in capsys.readouterr().out.splitlines())
    key, crn = out["API key"].strip(), out["CRN"].strip()
    assert out["Instance"].strip() == "ci" and crn.startswith("crn:v1:")
    with LocalRuntimeServer(db=db) as server:
        api = Api(server, key, crn)
        assert [d["name"] for d in api.get("/backends").json()["devices"]] == ["ibmq_manila"]
        assert api.get("/instances/usage").json()["usage_limit_seconds"] == 100
        assert server.api_key != key  # the default instance is still provisioned


def test_database_file_is_owner_only(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The SQLite file holds API keys and the signing secret: it must be 0600."""
    import stat

    db = tmp_path / "runtime.sqlite3"
    with LocalRuntimeServer(db=str(db)):
        pass
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_database_file_is_write_ahead_and_its_logs_owner_only(tmp_path: Path) -> None:
    """``serve --db`` runs SQLite in WAL mode; ``-wal`` and ``-shm`` hold the same secrets as
    the file, so they are 0600 too, even under a umask of 0. Nothing committed is lost."""
    import stat

    from ._serve import Served

    db = tmp_path / "runtime.sqlite3"
    with Served("--db", str(db), umask=0) as served:
        api = Api(served, served.api_key, served.instance)  # type: ignore[arg-type]
        job_id = api.submit(sampler_body([BELL_MANILA, None, 16]))
        assert api.wait(job_id)["state"]["status"] == "Completed"
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
        assert set(modes) == {db.name, db.name + "-wal", db.name + "-shm"}, modes
        assert set(modes.values()) == {0o600}, modes
        with sqlite3.connect(db) as other:  # a second reader (the CLI) while the server runs
            assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert other.execute("SELECT status FROM jobs WHERE id = ?",
                                 (job_id,)).fetchone()[0] == "Completed"
        other.close()
        token = api.token
    with Served("--db", str(db)) as again:  # the job, the key and the signing secret kept
        again_api = Api(again, again.api_key, again.instance)  # type: ignore[arg-type]
        assert again.api_key == served.api_key
        response = again_api.get(f"/jobs/{job_id}", headers={"Authorization": f"Bearer {token}"})
        assert response.json()["state"]["status"] == "Completed"


def test_cli_update_instance_and_list_reach_a_running_server(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from qiskit_rest_primitives.local import _cli

    db = str(tmp_path / "runtime.sqlite")
    with LocalRuntimeServer(db=db) as server:
        assert _cli.main(["create-instance", "team", "--db", db, "--plan", "open",
                          "--tags", "a,b"]) == 0
        out = dict(line.split(":", 1) for line in capsys.readouterr().out.splitlines())
        api = Api(server, out["API key"].strip(), out["CRN"].strip())
        assert api.get("/instances/configuration").json() == {"instance_limit": 600}
        assert _cli.main(["update-instance", "team", "--db", db, "--backends", "ibm_torino",
                          "--instance-limit-seconds", "none",
                          "--usage-allocation-seconds", "50"]) == 0
        capsys.readouterr()
        assert [d["name"] for d in api.get("/backends").json()["devices"]] == ["ibm_torino"]
        assert api.get("/instances/configuration").json() == {"instance_limit": None}
        assert _cli.main(["update-instance", "team", "--db", db, "--backends", "nowhere"]) == 2
        assert "nowhere" in capsys.readouterr().err
        assert _cli.main(["update-instance", "team", "--db", db,
                          "--instance-limit-seconds", "-3"]) == 2
        assert _cli.main(["instances", "--db", db]) == 0
        table = capsys.readouterr().out.splitlines()
        assert table[0].startswith("NAME") and any(
            line.startswith("team\topen\t-\t50\tibm_torino\t") for line in table)
        assert _cli.main(["instances", "--db", db, "--json"]) == 0
        docs = json.loads(capsys.readouterr().out)
        team = next(d for d in docs if d["name"] == "team")
        assert team["extensions"]["usage_allocation_seconds"] == 50 and team["tags"] == ["a", "b"]
        assert out["API key"].strip() not in json.dumps(docs)
