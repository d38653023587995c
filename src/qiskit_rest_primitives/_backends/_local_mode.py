"""Local testing mode: a qiskit backend that is not ours runs on an embedded local server.

``SamplerV2(mode=GenericBackendV2(5))``, ``Session(AerSimulator())`` and the like go over real
HTTP to one :class:`~qiskit_rest_primitives.local.LocalRuntimeServer` per process, started on
first use and stopped at exit. The server is handed the backend (its Target becomes
``/configuration`` and ``/properties``, its errors become the simulation's noise) and the
primitive gets the :class:`RuntimeBackend` the server describes, so the path production takes
(encode, validate, submit, poll, decode) is the path tested. The official client's local mode
skips the wire; this one keeps it.

This module is the one place the client reaches into ``local`` (lazily, inside a function):
the server is an optional extra, and without it local testing mode says how to install it.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
import weakref
from typing import TYPE_CHECKING, Any

from qiskit.providers import BackendV2

from ..exceptions import ConfigurationError
from ._backend import RuntimeBackend

if TYPE_CHECKING:
    from ..local import LocalRuntimeServer

#: Until the package is published, it installs from a clone; the hint gives both forms.
INSTALL_HINT = ('pip install "qiskit-rest-primitives[server]"'
                ' (from a clone of the repository: pip install -e ".[server]")')
#: Modules of the ``[server]`` extra; a missing one means the extra is not installed.
_SERVER_MODULES = frozenset({"fastapi", "uvicorn", "starlette", "pydantic", "qiskit_aer",
                             "qiskit_qasm3_import"})


class _Embedded:
    """The process's one embedded server, its service, and the backends handed to it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.server: LocalRuntimeServer | None = None
        self.service: Any = None
        self.served: weakref.WeakKeyDictionary[BackendV2, RuntimeBackend] = (
            weakref.WeakKeyDictionary())

    def start(self) -> Any:
        """The service of the embedded server, starting the server on first use."""
        if self.server is None:
            try:
                from ..local import LocalRuntimeServer
            except ImportError as exc:
                if getattr(exc, "name", None) in _SERVER_MODULES or "[server]" in str(exc):
                    raise ConfigurationError(
                        f"Local testing mode (a mode that is a plain qiskit backend) runs an "
                        f"embedded local server, which needs the server extra: {INSTALL_HINT}"
                    ) from exc
                raise
            server = LocalRuntimeServer().start()
            atexit.register(self.stop)
            self.server, self.service = server, server.service()
        return self.service

    def stop(self) -> None:
        """Stop the embedded server (at exit)."""
        with self.lock:
            server, self.server = self.server, None
            if self.service is not None:
                self.service.close()
            self.service = None
            self.served = weakref.WeakKeyDictionary()
        if server is not None:
            server.stop()


_EMBEDDED = _Embedded()


def is_foreign_backend(mode: object) -> bool:
    """Whether ``mode`` is a qiskit ``BackendV2`` that is not one of ours."""
    return isinstance(mode, BackendV2) and not isinstance(mode, RuntimeBackend)


def local_backend(backend: BackendV2) -> RuntimeBackend:
    """The embedded server's :class:`RuntimeBackend` for ``backend`` (handed over once).

    Raises:
        ConfigurationError: the ``[server]`` extra is not installed.
    """
    with _EMBEDDED.lock:
        try:
            known = _EMBEDDED.served.get(backend)
        except TypeError:  # not weak-referenceable or not hashable: hand it over every time
            known = None
        if known is not None and _EMBEDDED.server is not None:
            return known
        service = _EMBEDDED.start()
        assert _EMBEDDED.server is not None
        name = _EMBEDDED.server.add_backend(backend)
        # use_fractional_gates=None: every instruction of the user's Target stays in ours.
        runtime: RuntimeBackend = service.backend(name, use_fractional_gates=None)
        with contextlib.suppress(TypeError):  # see above
            _EMBEDDED.served[backend] = runtime
        return runtime


def embedded_server() -> LocalRuntimeServer | None:
    """The embedded server, if local testing mode has started it."""
    return _EMBEDDED.server
