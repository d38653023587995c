"""Qiskit Sampler and Estimator V2 over the Qiskit Runtime REST API.

Also ships :mod:`qiskit_rest_primitives.local`, a local server of the same API (extra
``[server]``).
"""

# qiskit's job errors, re-exported as the official client does.
from qiskit.exceptions import QiskitError
from qiskit.providers.exceptions import JobError, JobTimeoutError

from . import exceptions, options
from ._account._job import RuntimeJob
from ._account._resource_controller import InstanceExtensions, ResourceController, ResourceInstance
from ._account._service import QiskitRuntimeService, RuntimeService
from ._account._session import Batch, Session
from ._backends._backend import BackendStatus, RuntimeBackend
from ._config import VERSION as __version__
from ._config import PollPolicy, RetryPolicy, Timeouts
from ._primitives._estimator import EstimatorV2
from ._primitives._sampler import SamplerV2
from .exceptions import (
    IBMAccountError,
    IBMApiError,
    IBMBackendApiError,
    IBMBackendApiProtocolError,
    IBMBackendError,
    IBMBackendValueError,
    IBMError,
    IBMInputValueError,
    IBMNotAuthorizedError,
    IBMRuntimeError,
    RuntimeInvalidStateError,
    RuntimeJobFailureError,
    RuntimeJobMaxTimeoutError,
    RuntimeJobNotFound,
    RuntimeJobTimeoutError,
    RuntimeProgramNotFound,
)
from .options import EstimatorOptions, SamplerOptions, Unset

Sampler = SamplerV2
Estimator = EstimatorV2
RuntimeJobV2 = RuntimeJob
IBMBackend = RuntimeBackend
#: The official client's second name for the service (since 0.49).
IBMQuantumComputeService = QiskitRuntimeService

for _cls in (BackendStatus, Batch, EstimatorV2, InstanceExtensions, PollPolicy,
             QiskitRuntimeService, ResourceController, ResourceInstance, RetryPolicy,
             RuntimeBackend, RuntimeJob, SamplerV2, Session, Timeouts):
    _cls.__module__ = __name__
del _cls

__all__ = [
    "BackendStatus",
    "Batch",
    "Estimator",
    "EstimatorOptions",
    "EstimatorV2",
    "IBMAccountError",
    "IBMApiError",
    "IBMBackend",
    "IBMBackendApiError",
    "IBMBackendApiProtocolError",
    "IBMBackendError",
    "IBMBackendValueError",
    "IBMError",
    "IBMInputValueError",
    "IBMNotAuthorizedError",
    "IBMQuantumComputeService",
    "IBMRuntimeError",
    "InstanceExtensions",
    "JobError",
    "JobTimeoutError",
    "PollPolicy",
    "QiskitError",
    "QiskitRuntimeService",
    "ResourceController",
    "ResourceInstance",
    "RetryPolicy",
    "RuntimeBackend",
    "RuntimeInvalidStateError",
    "RuntimeJob",
    "RuntimeJobFailureError",
    "RuntimeJobMaxTimeoutError",
    "RuntimeJobNotFound",
    "RuntimeJobTimeoutError",
    "RuntimeJobV2",
    "RuntimeProgramNotFound",
    "RuntimeService",
    "Sampler",
    "SamplerOptions",
    "SamplerV2",
    "Session",
    "Timeouts",
    "Unset",
    "__version__",
    "exceptions",
    "options",
]
