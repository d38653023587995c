"""What both primitives share: resolve the mode, hold options, validate and submit a job."""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeAlias, TypeVar

from qiskit.circuit import QuantumCircuit
from qiskit.providers import BackendV2

from .._account._job import RuntimeJob
from .._account._session import Session, current_session
from .._backends._backend import RuntimeBackend
from .._backends._local_mode import is_foreign_backend, local_backend
from .._codec._encode_options import coerce_options, encode_options
from ..exceptions import ConfigurationError
from ..options import EstimatorOptions, SamplerOptions

OptionsT = TypeVar("OptionsT", SamplerOptions, EstimatorOptions)
#: A backend of ours, a Session or Batch, None (the active session), or any qiskit BackendV2
#: (local testing mode).
ModeLike: TypeAlias = "RuntimeBackend | Session | BackendV2 | None"


def resolve_mode(mode: Any) -> tuple[RuntimeBackend, Session | None]:
    """The backend and (optional) session a primitive submits to.

    Any other qiskit backend (``GenericBackendV2``, ``AerSimulator``, a fake backend) runs in
    local testing mode, on the embedded local server (see :mod:`._local_mode`).
    """
    if is_foreign_backend(mode):
        mode = local_backend(mode)
    if mode is None:
        session = current_session()
        if session is None:
            raise ConfigurationError(
                "No mode: pass mode=<backend, Session or Batch>, or build the primitive inside "
                "'with Session(...)'")
        return session._backend, session
    if isinstance(mode, Session):
        return mode._backend, mode
    if isinstance(mode, RuntimeBackend):
        if mode.service is None:
            raise ConfigurationError("The backend is not attached to a RuntimeService")
        return mode, None
    raise ConfigurationError(
        f"mode must be a backend from RuntimeService.backend(), a Session or a Batch, "
        f"not {type(mode).__name__}")


class PrimitiveBase(Generic[OptionsT]):
    """Submits encoded pubs as one job to ``/jobs`` on the resolved backend or session."""

    _program_id: ClassVar[str]

    def __init__(self, mode: ModeLike = None, options: Any = None) -> None:
        self._backend, self._session = resolve_mode(mode)
        self._options: OptionsT = coerce_options(options, self._program_id)  # type: ignore[assignment]

    @property
    def options(self) -> OptionsT:
        """The primitive's options (settable field by field)."""
        return self._options

    @options.setter
    def options(self, value: Any) -> None:
        self._options = coerce_options(value, self._program_id)  # type: ignore[assignment]

    @property
    def mode(self) -> RuntimeBackend | Session:
        """The session or batch the primitive runs in, else its backend."""
        return self._session if self._session is not None else self._backend

    def backend(self) -> RuntimeBackend:
        """The backend jobs run on."""
        return self._backend

    def _submit(self, pubs: list[Any], circuits: list[QuantumCircuit], *,
                pub_shots: list[int] | None = None,
                register_names: list[list[str]] | None = None) -> RuntimeJob:
        if self._session is not None:
            self._session.check_open()
        wire = encode_options(self._options)
        params: dict[str, Any] = {"pubs": pubs, "options": wire.options, "version": 2,
                                  "support_qiskit": True}
        if wire.resilience_level is not None:
            params["resilience_level"] = wire.resilience_level
        # Key order as the official client sends it (wire-format §6.1).
        top = dict(wire.top_level)
        body: dict[str, Any] = {"program_id": self._program_id, "params": params}
        for key in ("runtime", "log_level"):
            if key in top:
                body[key] = top.pop(key)
        body["backend"] = self._backend.name
        if self._session is not None and self._session.session_id is not None:
            body["session_id"] = self._session.session_id
        body.update(top)
        service = self._backend.service
        assert service is not None
        created = service._submit_job(body)
        return RuntimeJob(str(created["id"]), service, program_id=self._program_id,
                          backend_name=self._backend.name,
                          session_id=created.get("session_id") or body.get("session_id"),
                          circuit_metadata=[dict(c.metadata or {}) for c in circuits],
                          pub_shots=pub_shots, register_names=register_names,
                          poll=service.poll, tags=body.get("tags"), circuits=circuits)
