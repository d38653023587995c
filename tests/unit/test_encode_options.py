"""Options → wire JSON: byte-equal to the captured fixtures and to qiskit-ibm-runtime 0.51."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import qiskit_ibm_runtime.options as official
from qiskit.transpiler import CouplingMap
from qiskit_ibm_runtime import RuntimeEncoder

from qiskit_rest_primitives._codec._encode_options import (
    WireOptions,
    coerce_options,
    encode_options,
)
from qiskit_rest_primitives.exceptions import ConfigurationError
from qiskit_rest_primitives.options import EstimatorOptions, SamplerOptions, Unset

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reference" / "requests"
OFFICIAL = {"sampler": official.SamplerOptions, "estimator": official.EstimatorOptions}


def _noise_model() -> Any:
    from qiskit_aer.noise import NoiseModel, ReadoutError, depolarizing_error

    model = NoiseModel()
    model.add_all_qubit_quantum_error(depolarizing_error(0.01, 1), ["sx", "x"])
    model.add_readout_error(ReadoutError([[0.9, 0.1], [0.2, 0.8]]), [0])
    return model


def _official_wire(program: str, settings: dict[str, Any], **updates: Any) -> WireOptions:
    """What qiskit-ibm-runtime puts in ``params`` and the job's top level for ``settings``."""
    opts = OFFICIAL[program](**settings)
    if updates:
        opts.update(**updates)
    as_dict = asdict(opts)
    inputs = type(opts)._get_program_inputs(as_dict)
    runtime = type(opts)._get_runtime_options(as_dict)
    # Same conditions as qiskit_ibm_runtime/api/rest/runtime.py::program_run.
    top: dict[str, Any] = {}
    if runtime.get("image"):
        top["runtime"] = runtime["image"]
    if runtime.get("log_level"):
        top["log_level"] = runtime["log_level"]
    if runtime.get("job_tags"):
        top["tags"] = runtime["job_tags"]
    if runtime.get("max_execution_time"):
        top["cost"] = runtime["max_execution_time"]
    if runtime.get("private"):
        top["private"] = True
    return WireOptions(inputs["options"], inputs.get("resilience_level"), top)


def _assert_same_bytes(ours: WireOptions, theirs: WireOptions) -> None:
    assert json.dumps(ours.options) == json.dumps(theirs.options, cls=RuntimeEncoder)
    assert ours.resilience_level == theirs.resilience_level
    assert json.dumps(ours.top_level) == json.dumps(theirs.top_level, cls=RuntimeEncoder)


BOTH = ("sampler", "estimator")
EST = ("estimator",)
SAMP = ("sampler",)

#: (programs, id, settings factory): a factory so objects (CouplingMap, NoiseModel) are fresh.
CASES: list[tuple[tuple[str, ...], str, Callable[[], dict[str, Any]]]] = [
    (BOTH, "defaults", lambda: {}),
    (BOTH, "default_shots", lambda: {"default_shots": 1000}),
    (
        BOTH,
        "shots_and_gate_twirling",
        lambda: {"default_shots": 10, "twirling": {"enable_gates": True}},
    ),
    (
        BOTH,
        "dd_all",
        lambda: {
            "dynamical_decoupling": {
                "enable": True,
                "sequence_type": "XY4",
                "extra_slack_distribution": "edges",
                "scheduling_method": "asap",
                "skip_reset_qubits": True,
            }
        },
    ),
    (
        BOTH,
        "twirling_all",
        lambda: {
            "twirling": {
                "enable_gates": False,
                "enable_measure": True,
                "num_randomizations": "auto",
                "shots_per_randomization": 64,
                "strategy": "all",
            }
        },
    ),
    (
        BOTH,
        "execution_int_rep_delay",
        lambda: {"execution": {"init_qubits": False, "rep_delay": 1}},
    ),
    (SAMP, "meas_type", lambda: {"execution": {"meas_type": "avg_kerneled"}}),
    (
        BOTH,
        "simulator_lists",
        lambda: {
            "simulator": {
                "seed_simulator": 42,
                "basis_gates": ["ecr", "rz", "sx", "x"],
                "coupling_map": [[0, 1], [1, 0]],
            }
        },
    ),
    (
        BOTH,
        "simulator_coupling_map_object",
        lambda: {"simulator": {"coupling_map": CouplingMap([[0, 1], [1, 2], [2, 1]])}},
    ),
    (BOTH, "simulator_aer_noise_model", lambda: {"simulator": {"noise_model": _noise_model()}}),
    (BOTH, "simulator_noise_dict", lambda: {"simulator": {"noise_model": {"errors": []}}}),
    (BOTH, "max_execution_time", lambda: {"max_execution_time": 300}),
    (BOTH, "max_execution_time_zero", lambda: {"max_execution_time": 0}),
    (
        BOTH,
        "environment_all",
        lambda: {"environment": {"log_level": "DEBUG", "job_tags": ["a", "b"], "private": True}},
    ),
    (BOTH, "environment_empty_tags", lambda: {"environment": {"job_tags": [], "private": False}}),
    (BOTH, "experimental_unknown", lambda: {"experimental": {"execution_path": "gen3-turbo"}}),
    (BOTH, "experimental_image_only", lambda: {"experimental": {"image": "runtime:latest"}}),
    (
        BOTH,
        "experimental_image_and_more",
        lambda: {"experimental": {"image": "my/img:1.0", "foo": {"bar": 1}}},
    ),
    (
        BOTH,
        "experimental_merges_group",
        lambda: {
            "experimental": {"twirling": {"enable_gates": True, "extra": 1}},
            "twirling": {"strategy": "active"},
        },
    ),
    (
        BOTH,
        "experimental_merges_leaf",
        lambda: {
            "experimental": {"execution": {"init_qubits": False}, "default_shots": 77, "zz": [1, 2]}
        },
    ),
    (BOTH, "experimental_empty_dict_dropped", lambda: {"experimental": {"foo": {}}}),
    (
        BOTH,
        "experimental_falsy_group_ignored",
        lambda: {"experimental": {"twirling": None}, "twirling": {"enable_gates": True}},
    ),
    (
        SAMP,
        "experimental_resilience_stays_for_sampler",
        lambda: {"experimental": {"resilience": {"x": 1}, "seed_estimator": 3}},
    ),
    (EST, "resilience_level_0", lambda: {"resilience_level": 0}),
    (
        EST,
        "level_precision_seed",
        lambda: {"resilience_level": 2, "default_precision": 0.01, "seed_estimator": 7},
    ),
    (EST, "default_shots_none", lambda: {"default_shots": None}),
    (EST, "int_precision", lambda: {"default_shots": 5000, "default_precision": 1}),
    (
        EST,
        "measure_noise_learning",
        lambda: {
            "resilience": {
                "measure_mitigation": True,
                "measure_noise_learning": {
                    "num_randomizations": 16,
                    "shots_per_randomization": "auto",
                },
            }
        },
    ),
    (
        EST,
        "zne_everything",
        lambda: {
            "resilience": {
                "zne_mitigation": True,
                "zne": {
                    "amplifier": "pea",
                    "noise_factors": (1, 2, 3),
                    "extrapolator": ("linear", "polynomial_degree_2"),
                    "extrapolated_noise_factors": [0, 1, 2, 3],
                },
            }
        },
    ),
    (
        EST,
        "zne_single_extrapolator",
        lambda: {
            "resilience": {
                "zne": {"extrapolator": "double_exponential", "noise_factors": [1, 1.5, 2, 3]}
            }
        },
    ),
    (
        EST,
        "pec",
        lambda: {
            "resilience": {
                "pec_mitigation": True,
                "pec": {"max_overhead": None, "noise_gain": "auto"},
            }
        },
    ),
    (
        EST,
        "pec_and_layer_learning",
        lambda: {
            "resilience": {
                "pec": {"max_overhead": 50, "noise_gain": 0.5},
                "layer_noise_learning": {
                    "max_layers_to_learn": None,
                    "shots_per_randomization": 64,
                    "num_randomizations": 8,
                    "layer_pair_depths": [0, 1, 2],
                },
            }
        },
    ),
    (EST, "layer_noise_model_none", lambda: {"resilience": {"layer_noise_model": None}}),
    (
        EST,
        "mitigation_off",
        lambda: {
            "resilience": {"zne_mitigation": False, "pec_mitigation": False},
            "twirling": {"enable_gates": True},
        },
    ),
    (
        EST,
        "experimental_deep_merge",
        lambda: {
            "experimental": {"resilience": {"zne": {"amplifier": "gate_folding_back"}}},
            "resilience": {"zne_mitigation": True},
        },
    ),
    (
        SAMP,
        "fixture_sampler_with_options",
        lambda: {
            "default_shots": 2000,
            "dynamical_decoupling": {"enable": True, "sequence_type": "XpXm"},
            "twirling": {
                "enable_gates": True,
                "num_randomizations": 16,
                "shots_per_randomization": "auto",
            },
            "execution": {"init_qubits": True, "rep_delay": 0.0005, "meas_type": "classified"},
            "experimental": {"execution_path": "gen3-turbo"},
            "environment": {
                "log_level": "INFO",
                "job_tags": ["fixture", "sampler"],
                "private": True,
            },
            "max_execution_time": 300,
        },
    ),
]

PARAMS = [
    pytest.param(program, factory, id=f"{program}-{name}")
    for programs, name, factory in CASES
    for program in programs
]


@pytest.mark.parametrize(("program", "factory"), PARAMS)
def test_same_bytes_as_official_client(program: str, factory: Callable[[], dict[str, Any]]) -> None:
    settings = factory()
    theirs = _official_wire(program, copy.deepcopy(settings))
    ours = encode_options(coerce_options(settings, program))
    _assert_same_bytes(ours, theirs)


UPDATES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("sampler", {"twirling": {"enable_gates": True}}, {"twirling": {"strategy": "all"}}),
    ("sampler", {"experimental": {"a": {"b": 1}}}, {"experimental": {"a": {"c": 2}}}),
    (
        "estimator",
        {"resilience": {"zne_mitigation": True}},
        {"resilience": {"zne": {"noise_factors": [1, 3]}}, "resilience_level": 2},
    ),
    ("estimator", {"environment": {"job_tags": ["x"]}}, {"environment": {"private": True}}),
]


@pytest.mark.parametrize(("program", "settings", "updates"), UPDATES)
def test_update_merges_like_official_client(
    program: str, settings: dict[str, Any], updates: dict[str, Any]
) -> None:
    theirs = _official_wire(program, copy.deepcopy(settings), **copy.deepcopy(updates))
    ours = coerce_options(settings, program)
    ours.update(**updates)
    _assert_same_bytes(encode_options(ours), theirs)


def test_attribute_by_attribute_matches_official_client() -> None:
    theirs = official.EstimatorOptions()
    ours = EstimatorOptions()
    for opts in (theirs, ours):
        opts.resilience_level = 1
        opts.resilience.measure_mitigation = True
        opts.resilience.zne.amplifier = "gate_folding"
        opts.twirling.enable_measure = True
        opts.environment.job_tags = ["t"]
    as_dict = asdict(theirs)
    wire = encode_options(ours)
    assert json.dumps(wire.options) == json.dumps(
        official.EstimatorOptions._get_program_inputs(as_dict)["options"], cls=RuntimeEncoder
    )
    assert wire.top_level == {"log_level": "WARNING", "tags": ["t"]}


# --- the captured requests ----------------------------------------------------------------------

FIXTURE_SETTINGS: dict[str, tuple[str, dict[str, Any]]] = {
    "job_create_sampler": ("sampler", {}),
    "job_create_sampler_in_session": ("sampler", {}),
    "job_create_estimator_default_options": ("estimator", {}),
    "job_create_estimator": (
        "estimator",
        {
            "default_precision": 0.02,
            "seed_estimator": 42,
            "resilience_level": 1,
            "resilience": {"measure_mitigation": True, "zne_mitigation": False},
            "twirling": {"enable_measure": True},
        },
    ),
    "job_create_sampler_with_options": ("sampler", CASES[-1][2]()),
}


@pytest.mark.parametrize("name", sorted(FIXTURE_SETTINGS))
def test_matches_captured_request(name: str) -> None:
    program, settings = FIXTURE_SETTINGS[name]
    raw = (FIXTURES / f"{name}.json").read_text()
    body = json.loads((FIXTURES / f"{name}.readable.json").read_text())
    wire = encode_options(coerce_options(settings, program))

    assert body["program_id"] == program
    assert f'"options": {json.dumps(wire.options)}, "version": 2' in raw  # byte-exact
    assert wire.options == body["params"]["options"]
    assert wire.resilience_level == body["params"].get("resilience_level")
    captured_top = {
        k: v for k, v in body.items() if k not in ("program_id", "params", "backend", "session_id")
    }
    assert wire.top_level == captured_top
    assert list(wire.top_level) == list(captured_top)  # same key order as on the wire


# --- encode_options details ---------------------------------------------------------------------


def test_defaults_send_only_the_log_level() -> None:
    for cls in (SamplerOptions, EstimatorOptions):
        assert encode_options(cls()) == WireOptions({}, None, {"log_level": "WARNING"})


def test_environment_never_in_params() -> None:
    opts = SamplerOptions(
        environment={"job_tags": ["a"], "private": True, "callback": print}, max_execution_time=60
    )
    wire = encode_options(opts)
    assert wire.options == {}
    assert wire.top_level == {"log_level": "WARNING", "tags": ["a"], "cost": 60, "private": True}


def test_numpy_values_become_plain_json() -> None:
    opts = SamplerOptions(default_shots=np.int64(128), execution={"rep_delay": np.float64(1e-4)})
    assert json.dumps(encode_options(opts).options) == (
        '{"default_shots": 128, "execution": {"rep_delay": 0.0001}}'
    )


def test_experimental_arrays_use_runtime_envelopes() -> None:
    array = np.arange(3.0)
    opts = SamplerOptions(experimental={"a": array, "c": 1 + 2j, "s": {3}})
    ours = encode_options(opts).options["experimental"]
    theirs = json.loads(json.dumps({"a": array, "c": 1 + 2j, "s": {3}}, cls=RuntimeEncoder))
    assert ours == theirs


def test_unencodable_experimental_value_names_the_path() -> None:
    opts = SamplerOptions(experimental={"thing": object()})
    with pytest.raises(ConfigurationError, match=r"experimental\.thing"):
        encode_options(opts)


def test_non_dict_merged_into_a_group_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match=r"experimental\.twirling must be a dict"):
        SamplerOptions(experimental={"twirling": 5})
    opts = EstimatorOptions(experimental={"resilience": {"zne": 3}})
    with pytest.raises(ConfigurationError, match=r"experimental\.resilience\.zne must be a dict"):
        encode_options(opts)


def test_encode_rechecks_rules_broken_by_nested_edits() -> None:
    opts = EstimatorOptions()
    opts.resilience.measure_noise_learning.num_randomizations = 8  # rule lives one level up
    with pytest.raises(ConfigurationError, match=r"resilience\.measure_mitigation"):
        encode_options(opts)


def test_encode_does_not_change_the_options() -> None:
    opts = EstimatorOptions(experimental={"image": "a:b", "twirling": {"enable_gates": True}})
    before = copy.deepcopy(opts)
    encode_options(opts)
    assert opts == before
    assert opts.twirling.enable_gates is Unset


# --- coerce_options -----------------------------------------------------------------------------


def test_coerce_none_gives_defaults() -> None:
    assert coerce_options(None, "sampler") == SamplerOptions()
    assert coerce_options(None, "estimator") == EstimatorOptions()


def test_coerce_copies_objects() -> None:
    mine = SamplerOptions(default_shots=5)
    coerced = coerce_options(mine, "sampler")
    assert coerced == mine and coerced is not mine
    mine.twirling.enable_gates = True
    assert coerced.twirling.enable_gates is Unset


def test_coerce_and_update_keep_the_callback_object() -> None:
    class Listener:
        def __call__(self, job_id: str, result: Any) -> None:
            """Never called here."""

    listener = Listener()
    opts = SamplerOptions(environment={"callback": listener})
    coerced = coerce_options(opts, "sampler")
    assert coerced.environment.callback is listener
    coerced.update(environment={"log_level": "ERROR"})
    assert coerced.environment.callback is listener
    assert coerced.environment.log_level == "ERROR"


def test_coerce_nested_dict_names_bad_paths() -> None:
    with pytest.raises(ConfigurationError, match=r"^twirling\.strategy must be one of"):
        coerce_options({"twirling": {"strategy": "some"}}, "sampler")
    with pytest.raises(ConfigurationError, match=r"resilience_level is not supported"):
        coerce_options({"resilience_level": 1}, "sampler")


@pytest.mark.parametrize(
    ("options", "program", "message"),
    [
        (EstimatorOptions(), "sampler", "needs SamplerOptions, got EstimatorOptions"),
        (SamplerOptions(), "estimator", "needs EstimatorOptions, got SamplerOptions"),
        ({}, "noise_learner", "program_id must be"),
        ([("default_shots", 1)], "sampler",
         r"options must be a qiskit_rest_primitives\.SamplerOptions, a dict or None, got "
         r"builtins\.list"),
        # Another package's class of the same name is named in full, not as "SamplerOptions".
        (type("SamplerOptions", (), {"__module__": "other.options"})(), "sampler",
         r"got other\.options\.SamplerOptions"),
    ],
)
def test_coerce_rejects(options: Any, program: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        coerce_options(options, program)
