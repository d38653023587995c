"""The official client-side Estimator import path (``qiskit_ibm_runtime.executor_estimator``).

Its README runs ``from qiskit_ibm_runtime.executor_estimator import Estimator``; here that name is
the same REST :class:`~qiskit_rest_primitives.EstimatorV2`, since the service's ``estimator``
program does the pre- and post-processing the official one moves to the client.
"""

from ._primitives._estimator import EstimatorV2

Estimator = EstimatorV2

__all__ = ["Estimator", "EstimatorV2"]
