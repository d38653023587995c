"""Expectation values of Pauli sums on statevectors, from bit masks (no operator matrices).

A Pauli string ``P`` maps basis state ``|i>`` to ``i**ny * (-1)**popcount(i & z) |i ^ x>``
(``x``: its X and Y qubits, ``z``: its Z and Y qubits, ``ny``: its Y count), so
``<psi|P|psi> = sum_i conj(psi[i ^ x]) * psi[i] * phase[i]``: one gather and one product per
distinct ``x`` mask, shared by every term with that mask.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

Array = np.ndarray[Any, Any]


@functools.lru_cache(maxsize=512)
def _term(label: str) -> tuple[int, complex, Array]:
    """``(x mask, i**ny, signs)`` of a little-endian Pauli label; ``signs[i]`` is
    ``(-1)**popcount(i & z)``."""
    n = len(label)
    x = z = ny = 0
    for qubit, char in enumerate(reversed(label)):
        if char in "XY":
            x |= 1 << qubit
        if char in "ZY":
            z |= 1 << qubit
        ny += char == "Y"
    parity = np.zeros(2**n, dtype=np.int8)
    for qubit in range(n):
        if z >> qubit & 1:
            parity ^= ((np.arange(2**n) >> qubit) & 1).astype(np.int8)
    return x, 1j**ny, 1.0 - 2.0 * parity


def expectation_values(states: Array, observables: list[dict[str, float]], n: int) -> Array:
    """``<state|observable|state>`` for every row of ``states`` (``[state, amplitude]``) and
    every ``{label: coeff}`` observable on ``n`` qubits: an array ``[state, observable]``."""
    labels = list(dict.fromkeys(label for terms in observables for label in terms))
    column = {label: i for i, label in enumerate(labels)}
    coefficients = np.zeros((len(labels), len(observables)))
    for j, terms in enumerate(observables):
        for label, coeff in terms.items():
            coefficients[column[label], j] += coeff
    per_term = np.zeros((len(states), len(labels)))
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(_term(label)[0], []).append(i)
    amplitudes = np.arange(2**n)
    for x, members in groups.items():
        pairs = states.conj()[:, amplitudes ^ x] * states if x else np.abs(states) ** 2
        group = [_term(labels[i]) for i in members]
        sign_columns = np.stack([term[2] for term in group], axis=1)  # [amplitude, term]
        scales = np.array([term[1] for term in group])
        per_term[:, members] = np.real((pairs @ sign_columns) * scales)
    return per_term @ coefficients
