"""One method per REST endpoint: paths, query parameters, JSON in and out. No qiskit here."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ._http import HttpClient
from .exceptions import BackendNotFoundError, RuntimeJobNotFound

JSON = dict[str, Any]


def _seg(value: str) -> str:
    """A path segment, escaped so ids and names cannot change the path."""
    return quote(value, safe="")


class RestClient:
    """The Qiskit Runtime REST API (``/api/v1``), as plain dicts (wire-format §5)."""

    def __init__(self, http: HttpClient) -> None:
        self.http = http
        # The official client's names for a missing job or backend (both 404s).
        http.not_found.update({"/jobs/": RuntimeJobNotFound, "/backends/": BackendNotFoundError})

    def __repr__(self) -> str:
        return f"RestClient({self.http.base_url!r})"

    # backends
    def list_backends(self) -> JSON:
        """``GET /backends`` → ``{"devices": [...]}``."""
        return self.http.request_json("GET", "/backends")  # type: ignore[no-any-return]

    def get_backend_configuration(self, name: str, calibration_id: str | None = None) -> JSON:
        """``GET /backends/{name}/configuration`` (of one calibration, if given)."""
        params = {"calibration_id": calibration_id} if calibration_id is not None else None
        return self.http.request_json("GET", f"/backends/{_seg(name)}/configuration",  # type: ignore[no-any-return]
                                      params=params)

    def get_backend_properties(self, name: str, updated_before: str | None = None,
                               calibration_id: str | None = None) -> JSON:
        """``GET /backends/{name}/properties``: at a time, or of one calibration."""
        params: dict[str, str] = {}
        if updated_before:
            params["updated_before"] = updated_before
        if calibration_id is not None:
            params["calibration_id"] = calibration_id
        return self.http.request_json("GET", f"/backends/{_seg(name)}/properties",  # type: ignore[no-any-return]
                                      params=params or None)

    def get_backend_status(self, name: str) -> JSON:
        """``GET /backends/{name}/status``."""
        return self.http.request_json("GET", f"/backends/{_seg(name)}/status")  # type: ignore[no-any-return]

    # jobs
    def create_job(self, body: JSON | bytes) -> JSON:
        """``POST /jobs`` → ``{"id", "backend"[, "session_id"]}``."""
        # Creation: the transport retries only failed connections; _create decides the rest.
        if isinstance(body, bytes):
            return self.http.request_json("POST", "/jobs", data=body, submit=True,  # type: ignore[no-any-return]
                                          retry="create")
        return self.http.request_json("POST", "/jobs", body=body, submit=True,  # type: ignore[no-any-return]
                                      retry="create")

    def get_job(self, job_id: str, *, exclude_params: bool = True) -> JSON:
        """``GET /jobs/{id}``."""
        params = {"exclude_params": "true"} if exclude_params else None
        return self.http.request_json("GET", f"/jobs/{_seg(job_id)}", params=params)  # type: ignore[no-any-return]

    def list_jobs(self, params: list[tuple[str, Any]]) -> JSON:
        """``GET /jobs`` with filters → ``{"jobs", "count", "limit", "offset"}``."""
        return self.http.request_json("GET", "/jobs", params=params)  # type: ignore[no-any-return]

    def delete_job(self, job_id: str) -> None:
        """``DELETE /jobs/{id}`` (the job must be final)."""
        self.http.request("DELETE", f"/jobs/{_seg(job_id)}")

    def cancel_job(self, job_id: str) -> None:
        """``POST /jobs/{id}/cancel`` (repeatable: a second cancel answers 409 at worst)."""
        self.http.request("POST", f"/jobs/{_seg(job_id)}/cancel", retry="repeatable")

    def get_job_results(self, job_id: str) -> bytes | None:
        """``GET /jobs/{id}/results`` as raw bytes; ``None`` on 204 (no final result yet)."""
        response = self.http.request("GET", f"/jobs/{_seg(job_id)}/results")
        return None if response.status_code == 204 else response.content

    def get_job_metrics(self, job_id: str) -> JSON:
        """``GET /jobs/{id}/metrics``."""
        return self.http.request_json("GET", f"/jobs/{_seg(job_id)}/metrics")  # type: ignore[no-any-return]

    def get_job_logs(self, job_id: str) -> str:
        """``GET /jobs/{id}/logs`` (plain text)."""
        return self.http.request("GET", f"/jobs/{_seg(job_id)}/logs").text

    def replace_job_tags(self, job_id: str, tags: list[str]) -> None:
        """``PUT /jobs/{id}/tags`` (replaces the whole list)."""
        self.http.request("PUT", f"/jobs/{_seg(job_id)}/tags", body={"tags": tags})

    # sessions
    def create_session(self, body: JSON) -> JSON:
        """``POST /sessions`` → the session document (at least ``id``)."""
        return self.http.request_json("POST", "/sessions", body=body, retry="create")  # type: ignore[no-any-return]

    def get_session(self, session_id: str) -> JSON:
        """``GET /sessions/{id}``."""
        return self.http.request_json("GET", f"/sessions/{_seg(session_id)}")  # type: ignore[no-any-return]

    def close_session(self, session_id: str) -> None:
        """``PATCH /sessions/{id}`` with ``accepting_jobs: false``: queued jobs still run."""
        # Setting accepting_jobs to false twice is harmless, so the transport may repeat it.
        self.http.request("PATCH", f"/sessions/{_seg(session_id)}", body={"accepting_jobs": False},
                          retry="repeatable")

    def cancel_session(self, session_id: str) -> None:
        """``DELETE /sessions/{id}/close``: stop accepting and cancel queued jobs."""
        self.http.request("DELETE", f"/sessions/{_seg(session_id)}/close")

    def list_workloads(self, params: list[tuple[str, Any]]) -> JSON:
        """``GET /workloads`` (jobs, sessions, batches) → ``{"workloads", "total_count", ...}``."""
        return self.http.request_json("GET", "/workloads", params=params)  # type: ignore[no-any-return]

    # account
    def get_instance_usage(self) -> JSON:
        """``GET /instances/usage``."""
        return self.http.request_json("GET", "/instances/usage")  # type: ignore[no-any-return]

    def get_versions(self) -> JSON:
        """``GET /versions``."""
        return self.http.request_json("GET", "/versions")  # type: ignore[no-any-return]
