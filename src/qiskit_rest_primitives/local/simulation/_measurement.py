"""What the service derives from measurements beyond the bits: IQ points for kerneled
measurement, and the shots an estimator pub reports when twirled."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from qiskit.primitives import BitArray, DataBin

#: IQ centres of the two outcomes and the spread around them, in arbitrary units (what
#: qiskit's level-1 test backend uses: 0 → -1, 1 → 1+1j).
_ZERO, _ONE, _SIGMA = -1.0 + 0.0j, 1.0 + 1.0j, 0.2


def kerneled(data: DataBin, *, average: bool, seed: int | None) -> DataBin:
    """Replace each register's bits by IQ points (``meas_type`` ``"kerneled"``/``"avg_kerneled"``).

    A register of ``n`` bits becomes a complex array of shape ``(*pub_shape, shots, n)``, or
    ``(*pub_shape, n)`` averaged over shots, the shapes the service returns; the points
    scatter around each outcome's centre so the data look like a discriminator's input.
    """
    rng = np.random.default_rng(seed)
    fields: dict[str, Any] = {}
    for name, value in data.items():
        if not isinstance(value, BitArray):
            fields[name] = value
            continue
        bits = value.to_bool_array(order="little")
        noise = rng.normal(0.0, _SIGMA, bits.shape) + 1j * rng.normal(0.0, _SIGMA, bits.shape)
        points = np.where(bits, _ONE, _ZERO) + noise
        fields[name] = points.mean(axis=-2) if average else points
    return DataBin(shape=data.shape, **fields)


def twirled(options: dict[str, Any]) -> bool:
    """Whether the options enable gate or measurement twirling."""
    twirling = options.get("twirling") or {}
    return bool(twirling.get("enable_gates") or twirling.get("enable_measure"))


def estimator_shots(precision: float, options: dict[str, Any]) -> tuple[int, int]:
    """(shots, randomizations) of an estimator pub, as the service counts them.

    Untwirled: ``ceil(1 / precision²)`` shots. Twirled: ``num_randomizations x
    shots_per_randomization``, where an ``"auto"`` value is derived from the untwirled
    shots (``shots_per_randomization = max(64, ceil(shots / 32))`` when both are auto; 64
    with PEC), the rule in the service's twirling options documentation.
    """
    shots = 1 if precision >= 1 else math.ceil(1.0 / precision**2)  # no overflow past 1
    if not twirled(options):
        return shots, 0
    twirling = options.get("twirling") or {}
    count, per = twirling.get("num_randomizations"), twirling.get("shots_per_randomization")
    count = count if isinstance(count, int) else None
    per = per if isinstance(per, int) else None
    if count is None and per is None:
        pec = bool((options.get("resilience") or {}).get("pec_mitigation"))
        per = 64 if pec else max(64, math.ceil(shots / 32))
    if count is None:
        count = math.ceil(shots / per)  # type: ignore[operator]
    if per is None:
        per = math.ceil(shots / count)
    return count * per, count
