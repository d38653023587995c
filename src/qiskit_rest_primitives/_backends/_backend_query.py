"""Backend discovery for the service: list, filter and build backends as the official client does.

``backends()``, ``backend()`` and ``least_busy()`` of :class:`RuntimeService` are thin calls into
:class:`BackendCatalog`, so their meaning lives in one place (qiskit-ibm-runtime 0.51 semantics:
``GET /backends`` each time, configuration cached per name, a fresh backend object per call).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qiskit.providers.exceptions import QiskitBackendNotFoundError

from .._codec._validate import check_min_num_qubits
from ..exceptions import APIStatusError, BackendNotFoundError, ConfigurationError
from ._backend import RuntimeBackend
from ._backend_config import is_fractional

if TYPE_CHECKING:
    from ._link import ServiceLink

JSON = dict[str, Any]
BackendFilter = Callable[[RuntimeBackend], bool]
logger = logging.getLogger(__name__)
_NO_MATCH = "No backend matches the criteria."


def backend_not_found(message: str) -> BackendNotFoundError:
    """The error for a backend that does not exist or matches nothing (no request made)."""
    return BackendNotFoundError(message, status_code=404)


class BackendCatalog:
    """The backends one service can reach, fetched over REST and filtered locally."""

    def __init__(self, service: ServiceLink) -> None:
        self._service = service
        self._configs: dict[str, JSON] = {}  # raw configuration per name (no calibration id)

    def devices(self, instance: str | None = None) -> list[JSON]:
        """``GET /backends`` entries (mock devices included, marked ``class: mock``)."""
        devices = self._service_for(instance)._rest.list_backends().get("devices") or []
        return [d for d in devices if isinstance(d, dict) and d.get("name")]

    def backends(self, name: str | None = None, min_num_qubits: int | None = None,
                 instance: str | None = None, dynamic_circuits: bool | None = None,
                 filters: BackendFilter | None = None, *,
                 use_fractional_gates: bool | None = False, calibration_id: str | None = None,
                 include_mocks: bool = False, **kwargs: Any) -> list[RuntimeBackend]:
        """Backends matching every filter; see :meth:`RuntimeService.backends`."""
        check_min_num_qubits(min_num_qubits)
        found: list[RuntimeBackend] = []
        for device in self.devices(instance):
            if (name is not None and device["name"] != name) or (
                    not include_mocks and device.get("class") == "mock"):
                continue
            try:
                found.append(self._build(device, instance, use_fractional_gates,
                                         calibration_id))
            except QiskitBackendNotFoundError as exc:
                logger.warning("Backend %s could not be created: %s", device["name"], exc)
        if min_num_qubits:
            found = [b for b in found if b.configuration().n_qubits >= min_num_qubits]
        if dynamic_circuits is not None:
            found = [b for b in found if dynamic_circuits == (
                "dynamic_circuits" in (getattr(b.configuration(), "supported_features", None)
                                       or []))]
        if name is not None:
            kwargs["backend_name"] = name
        return match_attributes(found, filters, **kwargs)

    def backend(self, name: str, instance: str | None = None,
                use_fractional_gates: bool | None = False,
                calibration_id: str | None = None) -> RuntimeBackend:
        """One backend by name; see :meth:`RuntimeService.backend`."""
        found = self.backends(name, instance=instance, use_fractional_gates=use_fractional_gates,
                              calibration_id=calibration_id, include_mocks=True)
        if not found:
            raise backend_not_found(self._not_found(name, instance, calibration_id))
        backend = found[0]
        backend.properties()  # as captured from the official client: properties come with it
        if use_fractional_gates and not any(map(is_fractional, backend.basis_gates)):
            raise ConfigurationError(f"Backend {name!r} does not support fractional gates, "
                                     "but use_fractional_gates was set to True.")
        return backend

    def _not_found(self, name: str, instance: str | None, calibration_id: str | None) -> str:
        """Why ``backend(name)`` found nothing: a typo gets the names there are."""
        asked = [f"name {name!r}"] + [f"{key} {value!r}" for key, value in (
            ("instance", instance), ("calibration_id", calibration_id)) if value is not None]
        names = sorted(str(d["name"]) for d in self.devices(instance))
        why = ("see the warnings logged for backends that could not be read" if name in names
               else f"the instance has {', '.join(names) or 'no backends'}")
        return f"{_NO_MATCH} ({', '.join(asked)}; {why})"

    def least_busy(self, min_num_qubits: int | None = None, instance: str | None = None,
                   filters: BackendFilter | None = None,
                   use_fractional_gates: bool | None = False,
                   **kwargs: Any) -> RuntimeBackend:
        """The online backend with the shortest queue; see :meth:`RuntimeService.least_busy`."""
        check_min_num_qubits(min_num_qubits)
        candidates = [d for d in self.devices(instance)
                      if (d.get("status") or {}).get("name") == "online"
                      and d.get("class") != "mock"]
        if filters is not None or kwargs:
            allowed = {b.name for b in self.backends(min_num_qubits=min_num_qubits,
                                                     instance=instance, filters=filters,
                                                     **kwargs)}
            candidates = [d for d in candidates if d["name"] in allowed]
        if min_num_qubits:
            candidates = [d for d in candidates if int(d.get("qubits") or 0) >= min_num_qubits]
        for device in sorted(candidates, key=lambda d: int(d.get("queue_length") or 0)):
            try:
                return self.backend(device["name"], instance=instance,
                                    use_fractional_gates=use_fractional_gates)
            except (QiskitBackendNotFoundError, ConfigurationError):
                continue  # e.g. no fractional gates there: try the next one
        raise backend_not_found(_NO_MATCH)

    def _build(self, device: JSON, instance: str | None, use_fractional_gates: bool | None,
               calibration_id: str | None) -> RuntimeBackend:
        name = str(device["name"])
        service = self._service_for(instance)
        try:
            raw = self._configuration(service, name, calibration_id)
            return RuntimeBackend(raw, None, service, rest=service._rest,
                                  instance=service.instance, calibration_id=calibration_id,
                                  physical_qubits=device.get("physical_qubits"),
                                  use_fractional_gates=use_fractional_gates)
        except (APIStatusError, KeyError, TypeError, ValueError) as exc:
            # As the official client: a configuration that cannot be read means "not found".
            raise backend_not_found(
                f"Unable to create configuration for {name}: {exc}") from exc

    def _configuration(self, service: ServiceLink, name: str,
                       calibration_id: str | None) -> JSON:
        if calibration_id is not None:  # specific to that calibration: never cached
            return service._rest.get_backend_configuration(name, calibration_id)
        key = f"{service.instance or ''}/{name}"
        if key not in self._configs:
            self._configs[key] = service._rest.get_backend_configuration(name)
        return self._configs[key]

    def _service_for(self, instance: str | None) -> ServiceLink:
        return self._service._service_for(instance)


def match_attributes(backends: list[RuntimeBackend], filters: BackendFilter | None = None,
                     **criteria: Any) -> list[RuntimeBackend]:
    """Keep backends whose configuration (or else status) fields equal ``criteria``.

    A key present in every backend's configuration is compared there (no request); any other
    key against :meth:`RuntimeBackend.status` (one request per backend), as qiskit's
    ``filter_backends`` does. ``filters`` is applied last.
    """
    in_config = {k: v for k, v in criteria.items()
                 if all(k in b.configuration() for b in backends)}
    in_status = {k: v for k, v in criteria.items() if k not in in_config}
    if in_config:
        backends = [b for b in backends
                    if all(getattr(b.configuration(), k, None) == v for k, v in in_config.items())]
    if in_status:
        backends = [b for b in backends if _status_matches(b, in_status)]
    return [b for b in backends if filters is None or filters(b)]


def _status_matches(backend: RuntimeBackend, criteria: dict[str, Any]) -> bool:
    status = backend.status()
    return all(getattr(status, k, None) == v for k, v in criteria.items())

