"""The official client-side Sampler import path (``qiskit_ibm_runtime.executor_sampler``).

Its README runs ``from qiskit_ibm_runtime.executor_sampler import Sampler``; here that name is
the same REST :class:`~qiskit_rest_primitives.SamplerV2`, since the service's ``sampler`` program
does the pre- and post-processing the official one moves to the client.
"""

from ._primitives._sampler import SamplerV2

Sampler = SamplerV2

__all__ = ["Sampler", "SamplerV2"]
