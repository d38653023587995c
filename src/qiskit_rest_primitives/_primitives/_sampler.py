"""SamplerV2: qiskit's ``BaseSamplerV2`` over the Qiskit Runtime REST API."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from qiskit.primitives import BaseSamplerV2
from qiskit.primitives.containers.sampler_pub import SamplerPub, SamplerPubLike

from .._account._job import RuntimeJob
from .._codec._encode import PubEncoder
from .._codec._validate import (
    check_isa,
    check_parameter_values,
    check_shots,
    coerce_pubs,
    encode_pub,
    warn_if_nothing_to_sample,
)
from .._config import DEFAULT_SHOTS
from ..exceptions import ValidationError
from ..options import SamplerOptions
from ._primitive import ModeLike, PrimitiveBase


class SamplerV2(PrimitiveBase[SamplerOptions], BaseSamplerV2):
    """Samples ISA circuits on a Qiskit Runtime backend, as ``qiskit_ibm_runtime.SamplerV2`` does.

    Args:
        mode: a backend from :meth:`RuntimeService.backend`, a :class:`Session` or a
            :class:`Batch`; ``None`` inside ``with Session(...)``.
        options: :class:`SamplerOptions`, or a dict of them.
    """

    _program_id = "sampler"

    def __init__(self, mode: ModeLike = None, options: SamplerOptions | dict[str, Any] | None = None
                 ) -> None:
        PrimitiveBase.__init__(self, mode, options)

    @property
    def default_shots(self) -> int:
        """Shots of a pub that sets none (``options.default_shots``, else the service's 4096).

        qiskit's ``StatevectorSampler`` has this attribute and qiskit-algorithms reads it.
        """
        value = self._options.default_shots
        return value if isinstance(value, int) else DEFAULT_SHOTS

    @default_shots.setter
    def default_shots(self, value: int) -> None:
        self._options.default_shots = value

    def run(self, pubs: Iterable[SamplerPubLike], *, shots: int | None = None) -> RuntimeJob:
        """Submit one job sampling every pub; returns at once.

        Raises:
            ValidationError: a pub is malformed or not ISA for the backend (nothing is sent).
        """
        if shots is not None and (not isinstance(shots, int) or shots <= 0):
            raise ValidationError(f"shots must be a positive integer, got {shots!r}")
        coerced = coerce_pubs(pubs, lambda pub: SamplerPub.coerce(pub, shots), "Sampler")
        fallback = self.default_shots
        target = self._backend.target
        encoder = PubEncoder()
        encoded = []
        for index, pub in enumerate(coerced):
            check_isa(pub.circuit, target, index, encoder.instructions(pub))
            check_shots(pub.shots or fallback, self._backend.max_shots, index)
            check_parameter_values(pub.parameter_values, index)
            warn_if_nothing_to_sample(pub.circuit, index)
            encoded.append(encode_pub(index, partial(encoder.sampler_pub, pub)))
        return self._submit(encoded, [pub.circuit for pub in coerced],
                            pub_shots=[pub.shots or fallback for pub in coerced],
                            register_names=[[creg.name for creg in pub.circuit.cregs]
                                            for pub in coerced])
