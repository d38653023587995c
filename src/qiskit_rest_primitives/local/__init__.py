"""A faithful local Qiskit Runtime REST server (FastAPI + uvicorn + Aer) for tests and demos."""

from __future__ import annotations

import errno
import re
import socket
import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._extra import require_server_extra

require_server_extra()  # before the imports below: a missing extra gets a clear message

import uvicorn

from .api._app import create_app
from .circuits._limits import Limits
from .state._backends import backend_info
from .state._state import (
    Fault,
    Instance,
    LoggedRequest,
    ServerState,
    instance_from_row,
    new_instance_row,
)

if TYPE_CHECKING:
    from qiskit.providers import BackendV2

    from qiskit_rest_primitives import RuntimeService

__all__ = ["Instance", "Limits", "LocalRuntimeServer", "LoggedRequest"]

_STARTUP_TIMEOUT = 10.0


def _check_listenable(host: str, port: int) -> None:
    """Raise ``OSError`` naming the address if it cannot be listened on (in use, not local).

    uvicorn reports a failed bind only in its own log and ends its thread, which leaves
    :meth:`LocalRuntimeServer.start` nothing to say but "failed to start"; binding a probe
    socket first (with uvicorn's ``SO_REUSEADDR``) gives the reason.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port,
                                                             type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:  # socket.gaierror included
        hint = (" (another server there? port 0 picks a free one)"
                if exc.errno == errno.EADDRINUSE else "")
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}{hint}") from exc


class LocalRuntimeServer:
    """The Qiskit Runtime REST API and IAM token endpoint on loopback, backed by Aer.

    Simulations run in ``workers`` processes of their own, so the API (and the calling
    program) keeps answering while they run. ``api_key`` and ``instance`` (a name or a CRN) fix
    the default instance's credentials; otherwise they are random (and kept in ``db``).
    ``limits`` bounds what one request may ask (body size, JSON depth, pubs, instructions,
    qubits, simulation memory); see :class:`Limits`. :attr:`requests` keeps the last
    ``request_log`` requests (0: none).

    Example::

        with LocalRuntimeServer() as server:
            service = server.service()
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, db: str | None = None,
                 noise: bool = False, token_ttl: int = 3600, seed: int | None = None,
                 limits: Limits | None = None, workers: int = 1, api_key: str | None = None,
                 instance: str | None = None, request_log: int = 10_000) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self._host = host
        self._port = port
        self._options: dict[str, Any] = {"db": db, "noise": noise, "token_ttl": token_ttl,
                                         "seed": seed, "limits": limits or Limits(),
                                         "workers": workers, "api_key": api_key,
                                         "instance": instance, "request_log": request_log}
        self._state: ServerState | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._bound_port = 0

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> LocalRuntimeServer:
        """Start uvicorn in a daemon thread and wait until it listens."""
        if self._thread is not None:
            raise RuntimeError("The server is already running.")
        _check_listenable(self._host, self._port)
        state = ServerState(**self._options)
        # loop and http "auto": uvloop and httptools (the [server] extra) when installed,
        # else asyncio and h11.
        config = uvicorn.Config(create_app(state), host=self._host, port=self._port,
                                log_level="warning", access_log=False, lifespan="off",
                                loop="auto", http="auto")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="local-runtime-uvicorn", daemon=True)
        thread.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(
                    f"The local server failed to start on {self._host}:{self._port}.")
            time.sleep(0.005)
        self._bound_port = int(server.servers[0].sockets[0].getsockname()[1])
        state.worker.start()
        self._state, self._server, self._thread = state, server, thread
        return self

    def stop(self) -> None:
        """Stop uvicorn and the job worker, then close the database."""
        if self._server is None or self._thread is None or self._state is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._state.worker.stop()
        self._state.store.close()
        self._server = self._thread = self._state = None

    def __enter__(self) -> LocalRuntimeServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._state is not None else "stopped"
        return f"LocalRuntimeServer({where})"

    # -- addresses and credentials ------------------------------------------------------------
    @property
    def _st(self) -> ServerState:
        if self._state is None:
            raise RuntimeError("The server is not running; call start() first.")
        return self._state

    @property
    def port(self) -> int:
        """The bound TCP port."""
        self._st  # noqa: B018 - raises when stopped
        return self._bound_port

    @property
    def workers(self) -> int:
        """How many simulations may run at once (each in its own process)."""
        return int(self._options["workers"])

    @property
    def base_url(self) -> str:
        """``http://host:port`` (no path)."""
        return f"http://{self._host}:{self.port}"

    @property
    def url(self) -> str:
        """The runtime API base, ``http://127.0.0.1:PORT/api/v1``."""
        return f"{self.base_url}/api/v1"

    @property
    def iam_url(self) -> str:
        """The IAM token endpoint, ``http://127.0.0.1:PORT/identity/token``."""
        return f"{self.base_url}/identity/token"

    @property
    def resource_controller_url(self) -> str:
        """IBM Cloud Resource Controller base (``/v2/resource_instances``): this server."""
        return self.base_url

    @property
    def global_search_url(self) -> str:
        """IBM Cloud Global Search base (``/v3/resources/search``): this server."""
        return self.base_url

    @property
    def global_catalog_url(self) -> str:
        """IBM Cloud Global Catalog base, ``http://127.0.0.1:PORT/globalcatalog/api/v1``."""
        return f"{self.base_url}/globalcatalog/api/v1"

    @property
    def default_instance(self) -> Instance:
        """The pre-provisioned instance (valid across ``reset()``)."""
        row = self._st.store.default_instance()
        assert row is not None
        return instance_from_row(row)

    @property
    def api_key(self) -> str:
        """API key of the default instance."""
        return self.default_instance.api_key

    @property
    def instance(self) -> str:
        """CRN of the default instance."""
        return self.default_instance.crn

    @property
    def limits(self) -> Limits:
        """The input limits this server enforces."""
        limits: Limits = self._options["limits"]
        return limits

    def service(self, **kwargs: Any) -> RuntimeService:
        """A client ``RuntimeService`` pointed at this server.

        By default it uses the default instance. ``instance=`` may name any instance by CRN or
        by name: the API key of that instance's account is used, and a name is passed on for
        the client to resolve, as it would against IBM Cloud.
        """
        from qiskit_rest_primitives import RuntimeService

        options: dict[str, Any] = {"api_key": self.api_key, "instance": self.instance,
                                   "url": self.url, "iam_url": self.iam_url}
        wanted = kwargs.get("instance")
        if wanted is not None and not {"api_key", "token", "bearer_token"} & set(kwargs):
            rows = [r for r in self._st.store.instances() if wanted in (r["crn"], r["name"])]
            if rows:
                options["api_key"] = rows[0]["api_key"]
        options.update(kwargs)
        return RuntimeService(**options)

    # -- test controls ------------------------------------------------------------------------
    @property
    def requests(self) -> list[LoggedRequest]:
        """The requests received since start or the last ``reset()``, at most the last
        ``request_log`` of them (a copy)."""
        with self._st.lock:
            return list(self._st.requests)

    @property
    def token_ttl(self) -> int:
        """Lifetime in seconds of tokens issued from now on."""
        return int(self._st.issuer.ttl)

    @token_ttl.setter
    def token_ttl(self, seconds: int) -> None:
        self._st.issuer.ttl = int(seconds)
        self._options["token_ttl"] = int(seconds)

    def reset(self) -> None:
        """Forget jobs, sessions, extra instances and backends, the request log and faults;
        resume jobs."""
        state = self._st
        state.worker.clear()
        state.worker.resume()
        state.worker.job_delay = 0.0
        state.store.reset()
        state.backends.clear()
        state.iam_failures.clear()
        with state.lock:
            state.requests.clear()
            state.faults.clear()

    def inject_fault(self, method: str | None = "GET", path_regex: str = r"/jobs/",
                     status: int | None = 503, count: int = 2,
                     retry_after: float | None = None, delay: float = 0.0) -> None:
        """Make the next ``count`` matching requests fail with ``status`` or wait ``delay`` s.

        With ``delay > 0`` the request is delayed and then handled normally; otherwise it gets
        ``status`` with an errors body (and ``Retry-After`` if given). ``method=None`` or ``"*"``
        matches any method; ``path_regex`` is searched in the full path (``/api/v1/...``).
        """
        fault = Fault(method, re.compile(path_regex), status, count, retry_after, delay)
        with self._st.lock:
            self._st.faults.append(fault)

    def revoke_tokens(self) -> None:
        """Refuse every token issued so far (401)."""
        self._st.issuer.revoke_all()

    def pause_jobs(self) -> None:
        """Keep submitted jobs Queued until ``resume_jobs()`` (or ``reset()``)."""
        self._st.worker.pause()

    def resume_jobs(self) -> None:
        """Let queued jobs run."""
        self._st.worker.resume()

    @property
    def job_delay(self) -> float:
        """Seconds added to every job's run time (tests of ``cost``; 0 after ``reset()``)."""
        return self._st.worker.job_delay

    @job_delay.setter
    def job_delay(self, seconds: float) -> None:
        self._st.worker.job_delay = float(seconds)

    def create_instance(self, name: str, *, backends: list[str] | None = None,
                        instance_limit_seconds: int | None = None,
                        usage_allocation_seconds: int | None = None,
                        tags: list[str] | None = None, plan: str = "local-plan",
                        region: str = "us-east") -> Instance:
        """Provision another instance, in an account of its own, with its own API key and CRN.

        ``backends`` is an allow-list: None or ``["ANY"]`` for every backend, ``[]`` for none.
        ``plan`` is a ``resource_plan_id`` (see the docs' plan table). To add an instance to an
        existing account, use the Resource Controller API with that account's key instead.
        """
        row = new_instance_row(name, backends=["ANY"] if backends is None else list(backends),
                               instance_limit_seconds=instance_limit_seconds,
                               usage_allocation_seconds=usage_allocation_seconds, is_default=False,
                               region=region, resource_plan_id=plan, tags=list(tags or []))
        self._st.store.add_instance(row)
        return instance_from_row(row)

    def counts(self) -> dict[str, int]:
        """``{"jobs": n, "sessions": m}``: how many exist now (tests of exactly-once creation)."""
        return self._st.store.counts()

    def add_backend(self, backend: BackendV2) -> str:
        """Offer any qiskit ``BackendV2`` (e.g. a ``GenericBackendV2``) as a server backend.

        Its configuration and properties documents are generated from its Target (gates and
        where they act, errors, durations, T1/T2, readout), and its jobs are simulated with
        its noise when the Target carries errors. Returns the name it is served under: its own
        name, or ``name_2``, ... when a different backend already has that name.
        """
        from .state._target_docs import documents

        conf, props, noisy = documents(backend)
        return self._st.backends.add(backend_info(conf, props, noise=noisy))

    def calibration_id(self, backend: str) -> str:
        """The calibration id the server accepts for ``backend`` (``?calibration_id=``)."""
        info = self._st.backends.get(backend)
        if info is None:
            raise KeyError(f"No backend {backend!r}")
        return info.calibration_id

    def check_errors(self) -> None:
        """Re-raise the first exception a request handler or the job worker hit, then clear."""
        state = self._st
        errors = [*state.errors, *state.worker.errors]
        state.errors.clear()
        state.worker.errors.clear()
        if errors:
            raise errors[0]
