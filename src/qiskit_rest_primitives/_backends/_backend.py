"""``RuntimeBackend``: a ``BackendV2`` whose Target, configuration and properties come over REST."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol

from qiskit.providers import BackendV2, Options
from qiskit.transpiler import Target

from ..exceptions import BackendRunNotSupportedError, ConfigurationError
from ._backend_config import BackendConfiguration, without_fractional
from ._backend_properties import BackendProperties
from ._backend_target import build_target

if TYPE_CHECKING:
    from qiskit.circuit import QuantumCircuit

    from ._link import ServiceLink

JSON = dict[str, Any]
_datetime = datetime  # ``properties(datetime=...)`` shadows the name, as in the official API


class BackendSource(Protocol):
    """What a backend needs from its service: its three documents, fetched afresh."""

    def get_backend_configuration(self, name: str, calibration_id: str | None = None) -> JSON:
        """``GET /backends/{name}/configuration``."""

    def get_backend_properties(self, name: str, updated_before: str | None = None,
                               calibration_id: str | None = None) -> JSON:
        """``GET /backends/{name}/properties``."""

    def get_backend_status(self, name: str) -> JSON:
        """``GET /backends/{name}/status``."""


@dataclass
class BackendStatus:
    """A backend's live status, as ``GET /backends/{name}/status`` reports it (wire-format §10)."""

    backend_name: str
    backend_version: str
    operational: bool
    pending_jobs: int
    status_msg: str

    @classmethod
    def from_dict(cls, data: JSON) -> BackendStatus:
        """Build from the five fields (the official model's ``from_dict``)."""
        return cls(**data)

    def to_dict(self) -> JSON:
        """The five fields as a dict."""
        return asdict(self)


def _status_from_wire(name: str, raw: JSON, version: str) -> BackendStatus:
    # wire-format §10: operational = bool(state), status_msg = status, pending >= 0.
    return BackendStatus(backend_name=name,
                         backend_version=str(raw.get("backend_version") or version),
                         operational=bool(raw.get("state", False)),
                         pending_jobs=max(int(raw.get("length_queue") or 0), 0),
                         status_msg=str(raw.get("status", "")))


def utc_iso(moment: datetime) -> str:
    """``moment`` as UTC ISO-8601; a naive ``datetime`` is local time (as the official client)."""
    return moment.astimezone(timezone.utc).isoformat()


class RuntimeBackend(BackendV2):
    """A Qiskit Runtime backend: its ``Target``, configuration and properties, read over REST.

    Get one from :meth:`RuntimeService.backend` and pass it as ``mode=`` to
    :class:`~qiskit_rest_primitives.SamplerV2` or :class:`~qiskit_rest_primitives.EstimatorV2`.
    Configuration fields are attributes too (``backend.basis_gates``, ``backend.simulator``).
    ``run()`` is not supported (use the primitives).
    """

    def __init__(self, configuration: JSON | BackendConfiguration,
                 properties: JSON | None = None, service: ServiceLink | None = None, *,
                 rest: BackendSource | None = None, instance: str | None = None,
                 calibration_id: str | None = None, physical_qubits: int | None = None,
                 use_fractional_gates: bool | None = False) -> None:
        raw = configuration.to_dict() if isinstance(configuration, BackendConfiguration) \
            else configuration
        raw = without_fractional(raw, use_fractional_gates)
        conf = BackendConfiguration(raw)
        super().__init__(name=conf.backend_name, backend_version=conf.backend_version,
                         online_date=conf.online_date,
                         description=getattr(conf, "description", None))
        self._configuration = conf
        self.service = service
        self._rest: BackendSource | None = rest if rest is not None else (
            service._rest if service is not None else None)
        self._instance = instance if instance is not None else (
            service.instance if service is not None else None)
        self._calibration_id = calibration_id
        self._physical_qubits = physical_qubits
        self._properties: BackendProperties | None = None
        self._properties_loaded = False
        if properties is not None:
            self._properties, self._properties_loaded = BackendProperties(properties), True
        self._target: Target | None = None
        self.options.use_fractional_gates = use_fractional_gates

    def __repr__(self) -> str:
        return f"<RuntimeBackend('{self.name}')>"

    def __getattr__(self, name: str) -> Any:
        # Like the official IBMBackend: configuration fields read as backend attributes.
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return getattr(self.__dict__["_configuration"], name)
        except (KeyError, AttributeError):
            raise AttributeError(
                f"'{type(self).__name__}' object has no attribute '{name}'") from None

    @classmethod
    def _default_options(cls) -> Options:
        return Options(shots=4000, memory=False, init_qubits=True, rep_delay=None,
                       use_fractional_gates=False)

    # -- what the backend is --------------------------------------------------------------------
    @property
    def target(self) -> Target:
        """The transpiler target, built on first use from configuration and properties."""
        if self._target is None:
            self._target = build_target(self._configuration, self.properties())
        return self._target

    @property
    def max_circuits(self) -> int | None:
        return self._configuration._fields.get("max_experiments")

    @property
    def max_shots(self) -> int | None:
        """The most shots one pub may request."""
        value = self._configuration._fields.get("max_shots")
        return None if value is None else int(value)

    @property
    def instance(self) -> str | None:
        """The instance CRN this backend was fetched through."""
        return self._instance

    @property
    def calibration_id(self) -> str | None:
        """The calibration this backend was pinned to (``backend(..., calibration_id=)``)."""
        return self._calibration_id

    @property
    def physical_qubits(self) -> int | None:
        """Physical qubits of the device (programmable, reset qubits and couplers together),
        as ``GET /backends`` reports it; None when the service does not say."""
        return self._physical_qubits

    def configuration(self) -> BackendConfiguration:
        """The ``/configuration`` document as an object (``n_qubits``, ``basis_gates``, ...)."""
        return self._configuration

    def properties(self, refresh: bool = False,
                   datetime: datetime | None = None) -> BackendProperties | None:
        """Calibration data: cached, re-read with ``refresh``, or as it was at ``datetime``.

        A snapshot for a ``datetime`` is not cached. Simulators have none (``None``).

        Raises:
            TypeError: ``refresh`` is not a bool or ``datetime`` not a ``datetime``.
        """
        if not isinstance(refresh, bool):
            raise TypeError(f"refresh must be a bool, not {type(refresh).__name__}")
        if datetime is not None and not isinstance(datetime, _datetime):
            raise TypeError(f"datetime must be a datetime, not {type(datetime).__name__}")
        if self._configuration.simulator:
            return None
        if datetime is not None:
            raw = self._source().get_backend_properties(
                self.name, updated_before=utc_iso(datetime), calibration_id=self._calibration_id)
            return BackendProperties(raw) if raw else None
        if refresh or not self._properties_loaded:
            raw = self._source().get_backend_properties(
                self.name, calibration_id=self._calibration_id)
            self._properties = BackendProperties(raw) if raw else None
            self._properties_loaded = True
        return self._properties

    def status(self) -> BackendStatus:
        """Live operational status and queue length, fetched afresh (``/status``)."""
        return _status_from_wire(self.name, self._source().get_backend_status(self.name),
                                 self.backend_version)

    def refresh(self) -> None:
        """Re-read configuration and properties and rebuild the Target."""
        raw = self._source().get_backend_configuration(self.name, self._calibration_id)
        self._configuration = BackendConfiguration(
            without_fractional(raw, self.options.use_fractional_gates))
        self.properties(refresh=True)
        self._target = None

    def target_history(self, datetime: datetime | None = None) -> Target:
        """The Target as it was at ``datetime`` (properties of that time; now if None)."""
        return build_target(self._configuration, self.properties(datetime=datetime))

    def check_faulty(self, circuit: QuantumCircuit) -> None:
        """Raise ``ValueError`` if ``circuit`` acts on a faulty qubit or coupler."""
        props = self.properties()
        if props is None:
            return
        bad_qubits = set(props.faulty_qubits())
        bad_edges = {tuple(g.qubits) for g in props.faulty_gates() if len(g.qubits) > 1}
        for instruction in circuit.data:
            if instruction.operation.name == "barrier":
                continue
            qubits = tuple(circuit.find_bit(q).index for q in instruction.qubits)
            hit = bad_qubits.intersection(qubits)
            if hit:
                raise ValueError(f"Circuit {circuit.name} has {instruction.operation.name} "
                                 f"on faulty qubit {min(hit)}")
            if len(qubits) == 2 and qubits in bad_edges:
                raise ValueError(f"Circuit {circuit.name} has {instruction.operation.name} "
                                 f"on faulty edge {qubits}")

    def __call__(self) -> RuntimeBackend:
        """The backend itself (older code calls ``backend()``; the official client allows it)."""
        return self

    def run(self, run_input: Any, **options: Any) -> Any:
        """Not supported: submit circuits through ``SamplerV2`` or ``EstimatorV2``."""
        raise BackendRunNotSupportedError(
            "RuntimeBackend.run() is not supported; use SamplerV2(mode=backend).run(...)")

    def __deepcopy__(self, memo: dict[int, Any]) -> RuntimeBackend:
        # The service and its HTTP pools are shared, never copied (they hold sockets and locks).
        clone = type(self).__new__(type(self))
        for key, value in self.__dict__.items():
            shared = key in ("service", "_rest")
            clone.__dict__[key] = value if shared else copy.deepcopy(value, memo)
        return clone

    def _source(self) -> BackendSource:
        if self._rest is None:
            raise ConfigurationError(f"Backend {self.name!r} is not attached to a service")
        return self._rest

