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
#: Largest compiled list of observables kept (terms x amplitudes; 4 MiB of phases).
_CACHED_PHASES = 1 << 18


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


class _Compiled:
    """A list of observables as groups of terms sharing an ``x`` mask: per group, the gather
    index and a ``[amplitude, term]`` matrix of phases; then ``[term, observable]``
    coefficients."""

    def __init__(self, observables: tuple[tuple[tuple[str, float], ...], ...], n: int) -> None:
        labels = list(dict.fromkeys(label for terms in observables for label, _ in terms))
        column = {label: i for i, label in enumerate(labels)}
        self.coefficients = np.zeros((len(labels), len(observables)))
        for j, terms in enumerate(observables):
            for label, coeff in terms:
                self.coefficients[column[label], j] += coeff
        members: dict[int, list[int]] = {}
        for i, label in enumerate(labels):
            members.setdefault(_term(label)[0], []).append(i)
        amplitudes = np.arange(2**n)
        self.groups = []
        for x, group in members.items():
            compiled = [_term(labels[i]) for i in group]
            phases = np.stack([signs * scale for _, scale, signs in compiled], axis=1)
            self.groups.append((amplitudes ^ x if x else None, phases, group))
        self.num_terms = len(labels)

    def values(self, states: Array) -> Array:
        """``[state, observable]`` expectation values."""
        per_term = np.empty((len(states), self.num_terms))
        conjugate = states.conj()  # once, not once per group of terms
        for gather, phases, group in self.groups:
            pairs = conjugate[:, gather] * states if gather is not None else (
                np.abs(states) ** 2)
            per_term[:, group] = np.real(pairs @ phases)
        return per_term @ self.coefficients


@functools.lru_cache(maxsize=64)
def _compiled(observables: tuple[tuple[tuple[str, float], ...], ...], n: int) -> _Compiled:
    return _Compiled(observables, n)


def expectation_values(states: Array, observables: list[dict[str, float]], n: int) -> Array:
    """``<state|observable|state>`` for every row of ``states`` (``[state, amplitude]``) and
    every ``{label: coeff}`` observable on ``n`` qubits: an array ``[state, observable]``.

    Small lists of observables are compiled once (the last 64 are kept: a job, and the next
    iteration of an algorithm, send the same ones again)."""
    key = tuple(tuple(terms.items()) for terms in observables)
    if sum(len(terms) for terms in key) << n > _CACHED_PHASES:
        return _Compiled(key, n).values(states)
    return _compiled(key, n).values(states)
