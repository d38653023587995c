"""Every public name of qiskit-ibm-runtime 0.51 is ours too, or listed here as absent (with why).

docs/migration.md gives the same list; keep them together.
"""

from __future__ import annotations

import types

import pytest

import qiskit_rest_primitives as qrp
from qiskit_rest_primitives import exceptions as ours

#: Official top-level names we do not have, and why (docs/migration.md, "Not here").
ABSENT = {
    "Calibrator": "a program beyond the REST sampler/estimator",
    "Executor": "client-side executor of the official 0.51 (not a REST program)",
    "ExecutorOptions": "options of the executor",
    "NoiseLearner": "the noise-learner program is not served over our REST client",
    "NoiseLearnerOptions": "options of the noise learner",
    "NoiseLearnerV2": "alias of NoiseLearner",
    "NoiseLearnerV3": "the noise-learner program, version 3",
    "NoiseLearnerV3Options": "options of the noise learner v3",
    "QuantumProgram": "input of the executor",
    "Options": "V1 options base, removed from the V2 primitives we implement",
    "OptionsV2": "base class of the official option models; ours are SamplerOptions/EstimatorOptions",
    "RuntimeOptions": "the official _run() options; jobs are submitted by the primitives",
    "RuntimeEncoder": "the official JSON encoder of its wire types (QPY circuits...); we send OpenQASM 3",
    "RuntimeDecoder": "the official JSON decoder class; results are decoded for you",
    "logger": "the official package logger; ours are logging.getLogger('qiskit_rest_primitives...')",
    "setup_logger": "ditto",
}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_official_top_level_names() -> None:
    import qiskit_ibm_runtime as official

    names = {n for n in dir(official) if not n.startswith("_")
             and not isinstance(getattr(official, n), types.ModuleType)}
    missing = names - set(qrp.__all__)
    assert missing == set(ABSENT), sorted(missing ^ set(ABSENT))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_official_exception_names() -> None:
    from qiskit_ibm_runtime import exceptions as official
    from qiskit_ibm_runtime.accounts import exceptions as official_accounts

    for module in (official, official_accounts):
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, Exception):
                assert hasattr(ours, name), name


def test_aliases() -> None:
    assert qrp.IBMQuantumComputeService is qrp.RuntimeService is qrp.QiskitRuntimeService
    assert qrp.IBMBackend is qrp.RuntimeBackend and qrp.RuntimeJobV2 is qrp.RuntimeJob
