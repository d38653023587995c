"""SamplerOptions / EstimatorOptions: names, defaults, the ways to set them, and validation."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from qiskit.transpiler import CouplingMap

from qiskit_rest_primitives import options as options_module
from qiskit_rest_primitives.exceptions import ConfigurationError
from qiskit_rest_primitives.options import (
    EnvironmentOptions,
    EstimatorOptions,
    ResilienceOptionsV2,
    SamplerExecutionOptionsV2,
    SamplerOptions,
    TwirlingOptions,
    Unset,
    UnsetType,
    ZneOptions,
)

# --- Unset ---------------------------------------------------------------------------------------


def test_unset_is_a_falsy_singleton() -> None:
    assert UnsetType() is Unset
    assert not Unset
    assert repr(Unset) == "Unset"
    assert copy.copy(Unset) is Unset
    assert copy.deepcopy(Unset) is Unset
    assert pickle.loads(pickle.dumps(Unset)) is Unset


# --- names and defaults --------------------------------------------------------------------------


def test_official_names_and_nesting() -> None:
    names = {f.name for f in dataclasses.fields(EstimatorOptions)}
    assert names == {
        "max_execution_time",
        "environment",
        "simulator",
        "default_precision",
        "default_shots",
        "resilience_level",
        "seed_estimator",
        "dynamical_decoupling",
        "resilience",
        "execution",
        "twirling",
        "experimental",
    }
    sampler = {f.name for f in dataclasses.fields(SamplerOptions)}
    assert sampler == names - {
        "default_precision",
        "resilience_level",
        "seed_estimator",
        "resilience",
    }
    resilience = [f.name for f in dataclasses.fields(ResilienceOptionsV2)]
    assert resilience == [
        "measure_mitigation",
        "measure_noise_learning",
        "zne_mitigation",
        "zne",
        "pec_mitigation",
        "pec",
        "layer_noise_learning",
        "layer_noise_model",
    ]
    env = [f.name for f in dataclasses.fields(EnvironmentOptions)]
    assert env == ["log_level", "job_tags", "private", "callback"]


def _leaves(obj: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            out.update(_leaves(value, f"{prefix}{f.name}."))
        else:
            out[prefix + f.name] = value
    return out


@pytest.mark.parametrize("cls", [SamplerOptions, EstimatorOptions])
def test_everything_unset_except_environment(cls: type) -> None:
    leaves = _leaves(cls())
    env = {k: leaves.pop(k) for k in list(leaves) if k.startswith("environment.")}
    assert env == {
        "environment.log_level": "WARNING",
        "environment.job_tags": None,
        "environment.private": False,
        "environment.callback": None,
    }
    assert all(value is Unset for value in leaves.values()), leaves


def test_every_leaf_field_has_a_docstring_stating_the_default() -> None:
    for name in options_module.__all__:
        cls = getattr(options_module, name)
        if not dataclasses.is_dataclass(cls):
            continue
        for f in dataclasses.fields(cls):
            if f.default_factory is not dataclasses.MISSING:
                continue  # a nested group; its own fields carry the defaults
            owner = next(k for k in cls.__mro__ if f.name in inspect.get_annotations(k))
            source = inspect.getsource(owner)
            pattern = rf"\n    {f.name}: [^\n]+\n    \"\"\"(.*?)\"\"\""
            match = re.search(pattern, source, re.S)
            assert match and "Default" in match.group(1), f"{name}.{f.name}"


# --- the ways to set options ---------------------------------------------------------------------


def test_kwargs_nested_dict_objects_and_attributes_agree() -> None:
    nested = {
        "default_shots": 100,
        "twirling": {"enable_gates": True, "strategy": "all"},
        "environment": {"job_tags": ["x"]},
    }
    from_kwargs = SamplerOptions(**nested)
    from_objects = SamplerOptions(
        default_shots=100,
        twirling=TwirlingOptions(enable_gates=True, strategy="all"),
        environment=EnvironmentOptions(job_tags=["x"]),
    )
    by_attribute = SamplerOptions()
    by_attribute.default_shots = 100
    by_attribute.twirling.enable_gates = True
    by_attribute.twirling.strategy = "all"
    by_attribute.environment.job_tags = ["x"]
    as_group = SamplerOptions()
    as_group.default_shots = 100
    as_group.twirling = {"enable_gates": True, "strategy": "all"}  # type: ignore[assignment]
    as_group.environment = {"job_tags": ["x"]}  # type: ignore[assignment]
    assert from_kwargs == from_objects == by_attribute == as_group
    assert isinstance(as_group.twirling, TwirlingOptions)


def test_group_assigned_as_dict_is_validated_with_its_path() -> None:
    opts = SamplerOptions()
    with pytest.raises(ConfigurationError) as info:
        opts.twirling = {"num_randomizations": 0}  # type: ignore[assignment]
    assert str(info.value) == "twirling.num_randomizations must be an int >= 1 or 'auto', got 0"


def test_group_of_another_class_is_converted() -> None:
    est = EstimatorOptions()
    est.execution = SamplerExecutionOptionsV2(init_qubits=False)  # type: ignore[assignment]
    assert est.execution.init_qubits is False
    with pytest.raises(ConfigurationError, match=r"unknown option 'execution\.meas_type'"):
        est.execution = SamplerExecutionOptionsV2(meas_type="kerneled")  # type: ignore[assignment]


def test_group_must_be_object_or_dict() -> None:
    with pytest.raises(ConfigurationError, match="twirling must be a TwirlingOptions or a dict"):
        SamplerOptions(twirling=True)  # type: ignore[arg-type]


def test_attached_group_reports_full_path() -> None:
    zne = ZneOptions()
    with pytest.raises(ConfigurationError, match=r"^ZneOptions\.noise_factors must be"):
        zne.noise_factors = [0.5]
    opts = EstimatorOptions(resilience={"zne": zne})
    with pytest.raises(ConfigurationError, match=r"^resilience\.zne\.noise_factors must be"):
        opts.resilience.zne.noise_factors = [0.5]


def test_update_merges_groups_and_is_all_or_nothing() -> None:
    opts = EstimatorOptions(twirling={"enable_gates": True}, experimental={"a": {"b": 1}})
    opts.update(twirling={"strategy": "all"}, default_shots=10, experimental={"a": {"c": 2}})
    assert opts.twirling.enable_gates is True and opts.twirling.strategy == "all"
    assert opts.default_shots == 10
    assert opts.experimental == {"a": {"b": 1, "c": 2}}
    before = copy.deepcopy(opts)
    with pytest.raises(ConfigurationError, match="default_precision"):
        opts.update(default_shots=99, default_precision=0)
    assert opts == before
    with pytest.raises(ConfigurationError, match="unknown option 'shots'"):
        opts.update(shots=5)
    opts.update(twirling=TwirlingOptions(strategy="active"))
    assert opts.twirling.enable_gates is Unset


def test_setting_unset_clears() -> None:
    opts = SamplerOptions(default_shots=5)
    opts.default_shots = Unset
    assert opts.default_shots is Unset


def test_copies_pickles_and_replace_keep_behaviour() -> None:
    opts = EstimatorOptions(resilience={"zne": {"amplifier": "pea"}}, default_shots=3)
    for clone in (copy.deepcopy(opts), pickle.loads(pickle.dumps(opts)), dataclasses.replace(opts)):
        assert clone == opts
        with pytest.raises(ConfigurationError, match=r"^resilience\.zne\.amplifier must be"):
            clone.resilience.zne.amplifier = "bad"  # type: ignore[assignment]


# --- validation ----------------------------------------------------------------------------------


def _set(obj: Any, path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for name in parents:
        obj = getattr(obj, name)
    setattr(obj, leaf, value)


INVALID: list[tuple[type, str, Any, str]] = [
    (SamplerOptions, "default_shots", 0, "default_shots must be an int >= 1, got 0"),
    (SamplerOptions, "default_shots", True, "default_shots must be an int >= 1, got True"),
    (SamplerOptions, "default_shots", 10.0, "default_shots must be an int >= 1, got 10.0"),
    (EstimatorOptions, "default_shots", -1, "default_shots must be an int >= 0 or None, got -1"),
    (EstimatorOptions, "default_precision", 0, "default_precision must be a number > 0, got 0"),
    (
        EstimatorOptions,
        "default_precision",
        float("nan"),
        "default_precision must be a number > 0, got nan",
    ),
    (
        EstimatorOptions,
        "resilience_level",
        3,
        "resilience_level must be an int between 0 and 2, got 3",
    ),
    (EstimatorOptions, "seed_estimator", "1",
     "seed_estimator must be an int between 0 and 9223372036854775807, got '1'"),
    (EstimatorOptions, "seed_estimator", 2**63,
     "seed_estimator must be an int between 0 and 9223372036854775807, got 9223372036854775808"),
    (SamplerOptions, "simulator.seed_simulator", -1,
     "simulator.seed_simulator must be an int between 0 and 9223372036854775807, got -1"),
    (SamplerOptions, "max_execution_time", -5, "max_execution_time must be an int >= 0, got -5"),
    (
        SamplerOptions,
        "twirling.num_randomizations",
        0,
        "twirling.num_randomizations must be an int >= 1 or 'auto', got 0",
    ),
    (
        SamplerOptions,
        "twirling.shots_per_randomization",
        "AUTO",
        "twirling.shots_per_randomization must be an int >= 1 or 'auto', got 'AUTO'",
    ),
    (SamplerOptions, "twirling.enable_gates", 1, "twirling.enable_gates must be a bool, got 1"),
    (
        SamplerOptions,
        "twirling.strategy",
        "none",
        "twirling.strategy must be one of 'active', 'active-accum', 'active-circuit', 'all', "
        "got 'none'",
    ),
    (
        SamplerOptions,
        "dynamical_decoupling.sequence_type",
        "XYZ",
        "dynamical_decoupling.sequence_type must be one of 'XX', 'XpXm', 'XY4', got 'XYZ'",
    ),
    (
        SamplerOptions,
        "execution.rep_delay",
        -1.0,
        "execution.rep_delay must be a number >= 0, got -1.0",
    ),
    (
        SamplerOptions,
        "execution.meas_type",
        "raw",
        "execution.meas_type must be one of 'classified', 'kerneled', 'avg_kerneled', got 'raw'",
    ),
    (
        EstimatorOptions,
        "resilience.zne.noise_factors",
        [1, 0.5],
        "resilience.zne.noise_factors must be a list of numbers >= 1, got [1, 0.5]",
    ),
    (
        EstimatorOptions,
        "resilience.zne.extrapolator",
        ["linear", "cubic"],
        "resilience.zne.extrapolator must be a ZNE extrapolator name or a list of them, "
        "got ['linear', 'cubic']",
    ),
    (
        EstimatorOptions,
        "resilience.pec.max_overhead",
        0,
        "resilience.pec.max_overhead must be a number > 0 or None, got 0",
    ),
    (
        EstimatorOptions,
        "resilience.pec.noise_gain",
        -0.1,
        "resilience.pec.noise_gain must be a number >= 0 or 'auto', got -0.1",
    ),
    (
        EstimatorOptions,
        "resilience.layer_noise_learning.layer_pair_depths",
        [0, -1],
        "resilience.layer_noise_learning.layer_pair_depths must be a list of ints >= 0, "
        "got [0, -1]",
    ),
    (
        EstimatorOptions,
        "resilience.layer_noise_learning.max_layers_to_learn",
        -1,
        "resilience.layer_noise_learning.max_layers_to_learn must be an int >= 0 or None, got -1",
    ),
    (
        EstimatorOptions,
        "resilience.measure_noise_learning.num_randomizations",
        0,
        "resilience.measure_noise_learning.num_randomizations must be an int >= 1, got 0",
    ),
    (
        EstimatorOptions,
        "resilience.layer_noise_model",
        "x",
        "resilience.layer_noise_model must be None or the JSON form (dict or list) of a layer "
        "noise model, got 'x'",
    ),
    (
        SamplerOptions,
        "environment.log_level",
        "LOUD",
        "environment.log_level must be one of 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL', "
        "got 'LOUD'",
    ),
    (
        SamplerOptions,
        "environment.job_tags",
        "tag",
        "environment.job_tags must be a list of str or None, got 'tag'",
    ),
    (
        SamplerOptions,
        "environment.job_tags",
        ["a", 1],
        "environment.job_tags must be a list of str or None, got ['a', 1]",
    ),
    (
        SamplerOptions,
        "environment.private",
        "yes",
        "environment.private must be a bool or None, got 'yes'",
    ),
    (
        SamplerOptions,
        "environment.callback",
        3,
        "environment.callback must be None or a callable, got 3",
    ),
    (
        SamplerOptions,
        "simulator.coupling_map",
        [[0, 1, 2]],
        "simulator.coupling_map must be a CouplingMap or a list of [control, target] pairs, "
        "got [[0, 1, 2]]",
    ),
    (
        SamplerOptions,
        "simulator.basis_gates",
        "cx",
        "simulator.basis_gates must be a list of str, got 'cx'",
    ),
    (
        SamplerOptions,
        "simulator.noise_model",
        object,
        "simulator.noise_model must be None, a dict or a qiskit_aer.noise.NoiseModel, "
        "got <class 'object'>",
    ),
    (
        SamplerOptions,
        "experimental",
        {"image": "no tag"},
        "experimental must be a dict whose 'image' is a str of the form 'name:tag', "
        "got {'image': 'no tag'}",
    ),
    (SamplerOptions, "experimental", ["a"], "experimental must be a dict with str keys, got ['a']"),
]


@pytest.mark.parametrize(
    ("cls", "path", "value", "message"),
    INVALID,
    ids=[f"{c.__name__}-{p}-{v!r}" for c, p, v, _ in INVALID],
)
def test_invalid_value_raises_at_once_naming_the_path(
    cls: type, path: str, value: Any, message: str
) -> None:
    opts = cls()
    before = copy.deepcopy(opts)
    with pytest.raises(ConfigurationError) as info:
        _set(opts, path, value)
    assert str(info.value) == message
    assert opts == before  # the bad value was not stored
    nested: dict[str, Any] = {}
    *parents, leaf = path.split(".")
    level = nested
    for name in parents:
        level = level.setdefault(name, {})
    level[leaf] = value
    with pytest.raises(ConfigurationError) as info:
        cls(**nested)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"twirlng": {}}, "unknown option 'twirlng'; did you mean 'twirling'?"),
        (
            {"twirling": {"enable_gate": True}},
            "unknown option 'twirling.enable_gate'; did you mean 'enable_gates'?",
        ),
        ({"environment": {"image": "a:b"}}, "unknown option 'environment.image'"),
        ({"execution": {"meas_typ": "x"}}, "did you mean 'meas_type'?"),
    ],
)
def test_typos_raise_naming_the_path(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message.replace(".", r"\.").replace("?", r"\?")):
        SamplerOptions(**kwargs)


def test_typo_on_assignment() -> None:
    opts = EstimatorOptions()
    with pytest.raises(ConfigurationError, match=r"unknown option 'resilience\.zne_mitigaton'"):
        opts.resilience.zne_mitigaton = True
    with pytest.raises(ConfigurationError, match="keyword arguments only"):
        EstimatorOptions({"default_shots": 1})  # type: ignore[misc]


@pytest.mark.parametrize(
    "name", ["resilience", "resilience_level", "seed_estimator", "default_precision"]
)
def test_sampler_refuses_estimator_only_options(name: str) -> None:
    value: Any = {} if name == "resilience" else 1
    expected = rf"^{name} is not supported: the Sampler does not support it"
    with pytest.raises(ConfigurationError, match=expected):
        SamplerOptions(**{name: value})
    opts = SamplerOptions()
    with pytest.raises(ConfigurationError, match=expected):
        setattr(opts, name, value)
    with pytest.raises(ConfigurationError, match=expected):
        opts.update(**{name: value})


def test_pec_and_zne_together_rejected_and_reverted() -> None:
    with pytest.raises(
        ConfigurationError,
        match=r"resilience\.pec_mitigation and "
        r"resilience\.zne_mitigation cannot both",
    ):
        EstimatorOptions(resilience={"pec_mitigation": True, "zne_mitigation": True})
    opts = EstimatorOptions(resilience={"zne_mitigation": True})
    with pytest.raises(ConfigurationError, match="cannot both be True"):
        opts.resilience.pec_mitigation = True
    assert opts.resilience.pec_mitigation is Unset


def test_measure_noise_learning_needs_measure_mitigation() -> None:
    with pytest.raises(
        ConfigurationError,
        match=r"resilience\.measure_noise_learning is set but "
        r"resilience\.measure_mitigation is not True",
    ):
        EstimatorOptions(resilience={"measure_noise_learning": {"num_randomizations": 4}})
    opts = EstimatorOptions(
        resilience={"measure_mitigation": True, "measure_noise_learning": {"num_randomizations": 4}}
    )
    with pytest.raises(ConfigurationError, match="measure_mitigation is not True"):
        opts.resilience.measure_mitigation = False
    opts.resilience.measure_noise_learning.num_randomizations = Unset
    opts.resilience.measure_mitigation = False
    opts.validate()


@pytest.mark.parametrize(
    ("zne", "ok"),
    [
        ({"noise_factors": [1]}, False),  # default extrapolators need 2
        ({"noise_factors": [1, 3]}, True),
        ({"extrapolator": "double_exponential"}, False),  # needs 4, default gives 3
        ({"extrapolator": "double_exponential", "noise_factors": [1, 2, 3, 4]}, True),
        ({"extrapolator": ["linear", "polynomial_degree_3"]}, False),
        ({"extrapolator": "polynomial_degree_2"}, True),
    ],
)
def test_zne_extrapolators_need_enough_noise_factors(zne: dict[str, Any], ok: bool) -> None:
    if ok:
        EstimatorOptions(resilience={"zne": zne})
        return
    with pytest.raises(
        ConfigurationError,
        match=r"^resilience\.zne\.extrapolator '\w+' needs at "
        r"least \d resilience\.zne\.noise_factors",
    ):
        EstimatorOptions(resilience={"zne": zne})


def test_accepted_normalisations() -> None:
    opts = EstimatorOptions(
        default_precision=1,
        environment={"log_level": "info", "job_tags": ("a", "b"), "private": None},
        resilience={"zne": {"noise_factors": (1, 3), "extrapolator": ("linear",)}},
        simulator={"coupling_map": ((0, 1), (1, 0))},
    )
    assert opts.default_precision == 1.0 and isinstance(opts.default_precision, float)
    assert opts.environment.log_level == "INFO"
    assert opts.environment.job_tags == ["a", "b"]
    assert opts.resilience.zne.noise_factors == [1.0, 3.0]
    assert opts.resilience.zne.extrapolator == ["linear"]
    assert opts.simulator.coupling_map == [[0, 1], [1, 0]]
    cmap = CouplingMap([[0, 1]])
    opts.simulator.coupling_map = cmap
    assert opts.simulator.coupling_map is cmap


def test_experimental_is_copied() -> None:
    mine = {"a": {"b": 1}}
    opts = SamplerOptions(experimental=mine)
    mine["a"]["b"] = 2
    assert opts.experimental == {"a": {"b": 1}}


@given(st.integers(min_value=-5, max_value=10**6))
def test_num_randomizations_accepts_exactly_positive_ints(value: int) -> None:
    opts = TwirlingOptions()
    if value >= 1:
        opts.num_randomizations = value
        assert opts.num_randomizations == value
    else:
        with pytest.raises(ConfigurationError):
            opts.num_randomizations = value


def test_exported_names() -> None:
    assert options_module.__all__ == sorted(options_module.__all__)
    for name in options_module.__all__:
        assert getattr(options_module, name).__module__ == options_module.__name__ or (
            name == "Unset"
        )
