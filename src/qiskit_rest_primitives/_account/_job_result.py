"""A job's result as the user gets it: decoded, then given back what OpenQASM 3 dropped.

OpenQASM 3 carries no ``QuantumCircuit.metadata`` and may rename classical registers; the
job remembers both at submission and these functions put them back, with each sampler pub's
shots, as qiskit's reference primitives report them.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from qiskit.primitives import DataBin, PrimitiveResult

from .._codec._decode import decode_result
from .._transport._retry import backoff
from ..exceptions import APIResponseError

if TYPE_CHECKING:
    from .._backends._link import JobHost

logger = logging.getLogger(__name__)


def decode_or_none(raw: bytes) -> Any:
    """The decoded body, or None if a known envelope in it is malformed (a corrupt body)."""
    try:
        return decode_result(raw)
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def restore_circuit_metadata(result: PrimitiveResult[Any],
                             circuit_metadata: list[dict[str, Any]] | None) -> None:
    """Put back ``QuantumCircuit.metadata``, which OpenQASM 3 drops (as the reference does)."""
    if not circuit_metadata:
        return
    for pub_result, metadata in zip(result, circuit_metadata, strict=False):
        if isinstance(pub_result.metadata, dict) and metadata:
            pub_result.metadata["circuit_metadata"] = dict(metadata)


def add_shots(result: PrimitiveResult[Any], pub_shots: list[int] | None) -> None:
    """Each sampler pub's shots in its metadata, as qiskit's reference sampler reports
    them (qiskit-algorithms reads them); a service that sends them is left as is."""
    for pub_result, shots in zip(result, pub_shots or (), strict=False):
        if isinstance(pub_result.metadata, dict):
            pub_result.metadata.setdefault("shots", shots)


def restore_register_names(result: PrimitiveResult[Any],
                           register_names: list[list[str]] | None) -> PrimitiveResult[Any]:
    """Give each sampler pub's fields its circuit's register names, in order.

    An OpenQASM 3 parser may rename registers on the way (``qasm3.loads`` turns ``C``
    into ``esc_C``, and ``if`` or ``a-b`` cannot be written at all); the registers keep
    their order, so the n-th field is the n-th register.
    """
    if not register_names:
        return result
    pubs = list(result)
    renamed = False
    for index, (pub, names) in enumerate(zip(pubs, register_names, strict=False)):
        fields = list(pub.data.keys())
        if fields != names and len(fields) == len(names):
            data = DataBin(shape=pub.data.shape, **{
                new: pub.data[old] for new, old in zip(names, fields, strict=True)})
            pubs[index] = type(pub)(data, pub.metadata)
            renamed = True
    return PrimitiveResult(pubs, result.metadata) if renamed else result


def fetch_result(host: JobHost, job_id: str) -> PrimitiveResult[Any]:
    """A done job's result, read again (bounded) while the body is unreadable.

    Raises:
        APIResponseError: ``RetryPolicy.body_retries + 1`` reads gave no result.
    """
    policy = host._http.retry_policy
    for attempt in range(policy.body_retries + 1):
        raw = host._rest.get_job_results(job_id)
        result = decode_or_none(raw) if raw else None
        if isinstance(result, PrimitiveResult):
            return result
        logger.info("Job %s is done but its result body was unreadable", job_id)
        if attempt < policy.body_retries:
            time.sleep(backoff(attempt, initial=policy.backoff_factor, cap=policy.backoff_max,
                               jitter=policy.backoff_jitter))
    url = f"{host._http.base_url}/jobs/{job_id}/results"
    raise APIResponseError(
        f"GET {url}: job {job_id} is done, but {policy.body_retries + 1} reads of its "
        f"result gave no readable PrimitiveResult", method="GET", url=url)
