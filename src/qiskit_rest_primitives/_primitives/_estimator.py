"""EstimatorV2: qiskit's ``BaseEstimatorV2`` over the Qiskit Runtime REST API."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from qiskit.primitives import BaseEstimatorV2
from qiskit.primitives.containers.estimator_pub import EstimatorPubLike

from .._account._job import RuntimeJob
from .._codec._encode import PubEncoder
from .._codec._validate import (
    check_coefficients,
    check_isa,
    check_parameter_values,
    check_precision,
    coerce_estimator_pub,
    coerce_pubs,
    encode_pub,
)
from .._config import DEFAULT_PRECISION
from ..options import EstimatorOptions
from ._primitive import ModeLike, PrimitiveBase


class EstimatorV2(PrimitiveBase[EstimatorOptions], BaseEstimatorV2):
    """Estimates expectation values on a Qiskit Runtime backend, as
    ``qiskit_ibm_runtime.EstimatorV2`` does.

    Args:
        mode: a backend from :meth:`RuntimeService.backend`, a :class:`Session` or a
            :class:`Batch`; ``None`` inside ``with Session(...)``.
        options: :class:`EstimatorOptions`, or a dict of them.
    """

    _program_id = "estimator"

    def __init__(self, mode: ModeLike = None,
                 options: EstimatorOptions | dict[str, Any] | None = None) -> None:
        PrimitiveBase.__init__(self, mode, options)

    @property
    def default_precision(self) -> float:
        """Precision of a pub that sets none (``options.default_precision``, else the
        service's 0.015625).

        qiskit's ``StatevectorEstimator`` has this attribute and qiskit-algorithms reads it.
        """
        value = self._options.default_precision
        return float(value) if isinstance(value, (int, float)) else DEFAULT_PRECISION

    @default_precision.setter
    def default_precision(self, value: float) -> None:
        self._options.default_precision = value

    def run(self, pubs: Iterable[EstimatorPubLike], *, precision: float | None = None
            ) -> RuntimeJob:
        """Submit one job estimating every pub; returns at once.

        Raises:
            ValidationError: a pub is malformed, not ISA, has a non-finite parameter value or
                coefficient, a precision that is not positive, or observables of the wrong
                width (nothing is sent).
        """
        if precision is not None:
            check_precision(precision)
        coerced = coerce_pubs(pubs, partial(coerce_estimator_pub, precision=precision),
                              "Estimator")
        target = self._backend.target
        encoder = PubEncoder()
        encoded = []
        for index, pub in enumerate(coerced):
            check_isa(pub.circuit, target, index, encoder.instructions(pub))
            if pub.precision is not None:
                check_precision(pub.precision, index)
            check_parameter_values(pub.parameter_values, index)
            wire = encode_pub(index, partial(encoder.estimator_pub, pub))
            check_coefficients(wire[1], index)
            encoded.append(wire)
        return self._submit(encoded, [pub.circuit for pub in coerced])
