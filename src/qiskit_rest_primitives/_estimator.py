"""EstimatorV2: qiskit's ``BaseEstimatorV2`` over the Qiskit Runtime REST API."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from qiskit.primitives import BaseEstimatorV2
from qiskit.primitives.containers.estimator_pub import EstimatorPub, EstimatorPubLike

from ._encode import PubEncoder
from ._job import RuntimeJob
from ._primitive import ModeLike, PrimitiveBase
from ._validate import check_isa, coerce_pubs, encode_pub
from .exceptions import ValidationError
from .options import EstimatorOptions


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

    def run(self, pubs: Iterable[EstimatorPubLike], *, precision: float | None = None
            ) -> RuntimeJob:
        """Submit one job estimating every pub; returns at once.

        Raises:
            ValidationError: a pub is malformed, not ISA, or its observables have the wrong
                width (nothing is sent).
        """
        if precision is not None and (not isinstance(precision, (int, float)) or precision <= 0):
            raise ValidationError(f"precision must be a positive number, got {precision!r}")
        coerced = coerce_pubs(pubs, lambda pub: EstimatorPub.coerce(pub, precision))
        target = self._backend.target
        encoder = PubEncoder()
        encoded = []
        for index, pub in enumerate(coerced):
            check_isa(pub.circuit, target, index)
            encoded.append(encode_pub(index, partial(encoder.estimator_pub, pub)))
        return self._submit(encoded, [dict(pub.circuit.metadata or {}) for pub in coerced])
