"""One method per REST endpoint: paths, query parameters, JSON in and out. No qiskit here."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..exceptions import BackendNotFoundError, RuntimeJobNotFound, RuntimeProgramNotFound
from ._http import HttpClient

JSON = dict[str, Any]


def _seg(value: str) -> str:
    """A path segment, escaped so ids and names cannot change the path."""
    return quote(value, safe="")


class RestClient:
    """The Qiskit Runtime REST API (``/api/v1``), as plain dicts (wire-format §5)."""

    def __init__(self, http: HttpClient) -> None:
        self.http = http
        # The official client's names for a missing job or backend (both 404s).
        # (first matching prefix wins: "/jobs/{id}…" before the submission's "/jobs").
        http.not_found.update({"/jobs/": RuntimeJobNotFound, "/jobs": RuntimeProgramNotFound,
                               "/backends/": BackendNotFoundError})

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
        """``DELETE /jobs/{id}`` (the job must be final); sent once: a repeat after a lost
        answer gets 404, which only the caller can tell from a job that never existed."""
        self.http.request("DELETE", f"/jobs/{_seg(job_id)}", retry="create")

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

    def get_instance(self) -> JSON:
        """``GET /instance``: the instance's plan, backends and limits."""
        return self.http.request_json("GET", "/instance")  # type: ignore[no-any-return]

    def get_instance_configuration(self) -> JSON:
        """``GET /instances/configuration`` → ``{"instance_limit": seconds or null}``."""
        return self.http.request_json("GET", "/instances/configuration")  # type: ignore[no-any-return]

    def put_instance_configuration(self, instance_limit: int | None) -> None:
        """``PUT /instances/configuration`` (204; 409 when usage already exceeds the limit)."""
        self.http.request("PUT", "/instances/configuration",
                          body={"instance_limit": instance_limit})

    def get_versions(self) -> JSON:
        """``GET /versions``."""
        return self.http.request_json("GET", "/versions")  # type: ignore[no-any-return]


class ResourceControllerRest:
    """IBM Cloud's Resource Controller, ``/v2/resource_instances`` (instances.md §2)."""

    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def list_resource_instances(self, params: JSON) -> JSON:
        """``GET /v2/resource_instances`` → ``{"rows_count", "next_url", "resources"}``."""
        return self.http.request_json("GET", "/v2/resource_instances", params=params)  # type: ignore[no-any-return]

    def create_resource_instance(self, body: JSON) -> JSON:
        """``POST /v2/resource_instances`` → the instance document."""
        return self.http.request_json("POST", "/v2/resource_instances", body=body)  # type: ignore[no-any-return]

    def get_resource_instance(self, crn_or_guid: str) -> JSON:
        """``GET /v2/resource_instances/{id}`` (GUID or URL-encoded CRN)."""
        return self.http.request_json("GET", f"/v2/resource_instances/{_seg(crn_or_guid)}")  # type: ignore[no-any-return]

    def update_resource_instance(self, crn_or_guid: str, body: JSON) -> JSON:
        """``PATCH /v2/resource_instances/{id}``."""
        path = f"/v2/resource_instances/{_seg(crn_or_guid)}"
        return self.http.request_json("PATCH", path, body=body)  # type: ignore[no-any-return]

    def delete_resource_instance(self, crn_or_guid: str) -> None:
        """``DELETE /v2/resource_instances/{id}``."""
        self.http.request("DELETE", f"/v2/resource_instances/{_seg(crn_or_guid)}")


class GlobalSearchRest:
    """IBM Cloud Global Search and Global Catalog, as the official client uses them."""

    def __init__(self, search: HttpClient, catalog: HttpClient) -> None:
        self.search_http = search
        self.catalog_http = catalog

    def search(self, query: str, fields: list[str], *, limit: int = 100,
               search_cursor: str | None = None) -> JSON:
        """``POST /v3/resources/search`` → ``{"items", "search_cursor"}``."""
        body: JSON = {"query": query, "fields": fields}
        if search_cursor:
            body["search_cursor"] = search_cursor
        return self.search_http.request_json(  # type: ignore[no-any-return]
            "POST", "/v3/resources/search", params={"limit": limit}, body=body,
            retry="repeatable")  # a search changes nothing: safe to repeat

    def get_catalog_entry(self, entry_id: str) -> JSON:
        """``GET {catalog}/{id}``: a plan's display name and pricing."""
        return self.catalog_http.request_json("GET", f"/{_seg(entry_id)}")  # type: ignore[no-any-return]
