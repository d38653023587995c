"""SamplerOptions, EstimatorOptions and their sub-options: typed data and validation, no I/O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from qiskit.transpiler import CouplingMap

from ._option_checks import (
    _bool,
    _callback,
    _Check,
    _choice,
    _coupling_map,
    _experimental,
    _extrapolator,
    _job_tags,
    _json_or_none,
    _list,
    _log_level,
    _noise_model,
    _num,
    _str,
)
from ._options_base import Unset, UnsetType, _BaseOptions, _check_experimental_groups, _join
from .exceptions import ConfigurationError

UnsetType.__module__ = __name__  # public here; defined in _options_base

__all__ = [
    "DynamicalDecouplingOptions",
    "EnvironmentOptions",
    "EstimatorOptions",
    "ExecutionOptionsV2",
    "LayerNoiseLearningOptions",
    "MeasureNoiseLearningOptions",
    "PecOptions",
    "ResilienceOptionsV2",
    "SamplerExecutionOptionsV2",
    "SamplerOptions",
    "SimulatorOptions",
    "TwirlingOptions",
    "Unset",
    "UnsetType",
    "ZneOptions",
]

# --- the option groups (names, nesting and defaults of qiskit-ibm-runtime 0.51) ----------------

_Auto = Literal["auto"]
_Amplifier = Literal["gate_folding", "gate_folding_front", "gate_folding_back", "pea"]
#: Seeds travel as 64-bit signed integers (numpy and Aer refuse larger or negative ones).
SEED_MAX = 2**63 - 1
_AMPLIFIERS = ("gate_folding", "gate_folding_front", "gate_folding_back", "pea")


@dataclass(kw_only=True)
class DynamicalDecouplingOptions(_BaseOptions):
    """Dynamical decoupling (DD) on idle qubits."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "enable": _bool(),
        "sequence_type": _choice("XX", "XpXm", "XY4"),
        "extra_slack_distribution": _choice("middle", "edges"),
        "scheduling_method": _choice("alap", "asap"),
        "skip_reset_qubits": _bool(),
    }

    enable: bool | UnsetType = Unset
    """Insert DD sequences. Default (service): ``False``."""
    sequence_type: Literal["XX", "XpXm", "XY4"] | UnsetType = Unset
    """DD sequence. Default (service): ``"XX"``."""
    extra_slack_distribution: Literal["middle", "edges"] | UnsetType = Unset
    """Where rounding slack goes. Default (service): ``"middle"``."""
    scheduling_method: Literal["alap", "asap"] | UnsetType = Unset
    """Gate scheduling. Default (service): ``"alap"``."""
    skip_reset_qubits: bool | UnsetType = Unset
    """Skip DD right after qubit initialisation or reset. Default (service): ``False``."""


@dataclass(kw_only=True)
class ExecutionOptionsV2(_BaseOptions):
    """Execution options (Estimator)."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "init_qubits": _bool(),
        "rep_delay": _num("float", 0),
    }

    init_qubits: bool | UnsetType = Unset
    """Reset qubits to the ground state before each shot. Default (service): ``True``."""
    rep_delay: float | UnsetType = Unset
    """Delay between shots, seconds. Default (service): the backend's ``default_rep_delay``."""


@dataclass(kw_only=True)
class SamplerExecutionOptionsV2(ExecutionOptionsV2):
    """Execution options (Sampler): adds ``meas_type``."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        **ExecutionOptionsV2._CHECKS,
        "meas_type": _choice("classified", "kerneled", "avg_kerneled"),
    }

    meas_type: Literal["classified", "kerneled", "avg_kerneled"] | UnsetType = Unset
    """Measurement return type. Default (service): ``"classified"`` (bits)."""


@dataclass(kw_only=True)
class TwirlingOptions(_BaseOptions):
    """Pauli twirling of gates and measurements."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "enable_gates": _bool(),
        "enable_measure": _bool(),
        "num_randomizations": _num("int", 1, auto=True),
        "shots_per_randomization": _num("int", 1, auto=True),
        "strategy": _choice("active", "active-accum", "active-circuit", "all"),
    }

    enable_gates: bool | UnsetType = Unset
    """Twirl 2-qubit gates. Default: Sampler ``False``; Estimator from ``resilience_level``."""
    enable_measure: bool | UnsetType = Unset
    """Twirl measurements. Default: Sampler ``False``; Estimator from ``resilience_level``."""
    num_randomizations: int | _Auto | UnsetType = Unset
    """Number of twirled circuit instances. Default (service): ``"auto"``."""
    shots_per_randomization: int | _Auto | UnsetType = Unset
    """Shots per twirled instance. Default (service): ``"auto"``."""
    strategy: Literal["active", "active-accum", "active-circuit", "all"] | UnsetType = Unset
    """Which qubits to twirl in each layer. Default (service): ``"active-accum"``."""


@dataclass(kw_only=True)
class MeasureNoiseLearningOptions(_BaseOptions):
    """Measurement noise learning for measurement mitigation (Estimator)."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "num_randomizations": _num("int", 1),
        "shots_per_randomization": _num("int", 1, auto=True),
    }

    num_randomizations: int | UnsetType = Unset
    """Random circuits in the learning experiment. Default (service): 32."""
    shots_per_randomization: int | _Auto | UnsetType = Unset
    """Shots per learning circuit (ints are deprecated upstream). Default (service): ``"auto"``."""


@dataclass(kw_only=True)
class ZneOptions(_BaseOptions):
    """Zero-noise extrapolation (Estimator)."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "amplifier": _choice(*_AMPLIFIERS),
        "noise_factors": _list(_num("float", 1), "a list of numbers >= 1"),
        "extrapolator": _extrapolator,
        "extrapolated_noise_factors": _list(_num("float"), "a list of numbers"),
    }

    amplifier: _Amplifier | UnsetType = Unset
    """Noise amplification technique. Default (service): ``"gate_folding"``."""
    noise_factors: list[float] | UnsetType = Unset
    """Noise amplification factors. Default (service): ``[1, 3, 5]``."""
    extrapolator: str | list[str] | UnsetType = Unset
    """Extrapolator(s) to try, in order. Default (service): ``["exponential", "linear"]``."""
    extrapolated_noise_factors: list[float] | UnsetType = Unset
    """Points where the fits are evaluated. Default (service): ``[0, *noise_factors]``."""

    def _rules(self) -> None:
        # Each extrapolator needs a minimum number of noise factors (ibm-runtime ZneOptions).
        factors = self.noise_factors if isinstance(self.noise_factors, list) else [1, 3, 5]
        chosen = self.extrapolator
        if isinstance(chosen, UnsetType):
            chosen = ["exponential", "linear"]
        for name in [chosen] if isinstance(chosen, str) else chosen:
            need = int(name[-1]) + 1 if name.startswith("poly") else (4 if "double" in name else 2)
            if len(factors) < need:
                raise ConfigurationError(
                    f"{_join(self._path, 'extrapolator')} {name!r} needs at least {need} "
                    f"{_join(self._path, 'noise_factors')}, got {len(factors)}"
                )


@dataclass(kw_only=True)
class PecOptions(_BaseOptions):
    """Probabilistic error cancellation (Estimator)."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "max_overhead": _num("float", 0, strict=True, none=True),
        "noise_gain": _num("float", 0, auto=True),
    }

    max_overhead: float | UnsetType | None = Unset
    """Maximum sampling overhead, or None for no limit. Default (service): 100."""
    noise_gain: float | _Auto | UnsetType = Unset
    """Scale of the learned noise to cancel (0 removes it all). Default (service): ``"auto"``."""


@dataclass(kw_only=True)
class LayerNoiseLearningOptions(_BaseOptions):
    """Layer noise learning for PEC and PEA (Estimator)."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "max_layers_to_learn": _num("int", 0, none=True),
        "shots_per_randomization": _num("int", 1),
        "num_randomizations": _num("int", 1),
        "layer_pair_depths": _list(_num("int", 0), "a list of ints >= 0"),
    }

    max_layers_to_learn: int | UnsetType | None = Unset
    """Most unique layers to learn, None for no limit. Default (service): 4."""
    shots_per_randomization: int | UnsetType = Unset
    """Shots per random learning circuit. Default (service): 128."""
    num_randomizations: int | UnsetType = Unset
    """Random circuits per learning configuration. Default (service): 32."""
    layer_pair_depths: list[int] | UnsetType = Unset
    """Learning depths, in layer pairs. Default (service): ``[0, 1, 2, 4, 16, 32]``."""


@dataclass(kw_only=True)
class ResilienceOptionsV2(_BaseOptions):
    """Error mitigation (Estimator only)."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "measure_mitigation": _bool(),
        "zne_mitigation": _bool(),
        "pec_mitigation": _bool(),
        "layer_noise_model": _json_or_none,
    }

    measure_mitigation: bool | UnsetType = Unset
    """Measurement error mitigation. Default: from ``resilience_level`` (on for 1 and 2)."""
    measure_noise_learning: MeasureNoiseLearningOptions = field(
        default_factory=MeasureNoiseLearningOptions
    )
    """Measurement noise learning; needs ``measure_mitigation=True``."""
    zne_mitigation: bool | UnsetType = Unset
    """Zero-noise extrapolation. Default: from ``resilience_level`` (on for 2)."""
    zne: ZneOptions = field(default_factory=ZneOptions)
    """ZNE sub-options."""
    pec_mitigation: bool | UnsetType = Unset
    """Probabilistic error cancellation. Default (service): ``False``."""
    pec: PecOptions = field(default_factory=PecOptions)
    """PEC sub-options."""
    layer_noise_learning: LayerNoiseLearningOptions = field(
        default_factory=LayerNoiseLearningOptions
    )
    """Layer noise learning sub-options."""
    layer_noise_model: Any = Unset
    """JSON form of a learned layer noise model, or None to learn it. Default (service): None."""

    def _rules(self) -> None:
        if self.pec_mitigation is True and self.zne_mitigation is True:
            raise ConfigurationError(
                f"{_join(self._path, 'pec_mitigation')} and {_join(self._path, 'zne_mitigation')}"
                " cannot both be True; set one of them to False"
            )
        learning = self.measure_noise_learning
        if not self.measure_mitigation and any(v is not Unset for _, v in learning._items()):
            raise ConfigurationError(
                f"{learning._path} is set but {_join(self._path, 'measure_mitigation')} is not True"
            )


@dataclass(kw_only=True)
class EnvironmentOptions(_BaseOptions):
    """The job's environment: sent as top-level job fields, never inside ``params``."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "log_level": _log_level,
        "job_tags": _job_tags,
        "private": _bool(none=True),
        "callback": _callback,
    }

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "WARNING"
    """Log level of the job (sent as ``log_level``). Default: ``"WARNING"``."""
    job_tags: list[str] | None = None
    """Tags for the job (sent as ``tags``; at most 8, each at most 86 characters).
    Default: None."""
    private: bool | None = False
    """Private job: inputs not kept, results readable once. Default: ``False``."""
    callback: Callable[..., Any] | None = None
    """Client-side callback; never sent. Default: None."""


@dataclass(kw_only=True)
class SimulatorOptions(_BaseOptions):
    """Options for simulator backends."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "noise_model": _noise_model,
        "seed_simulator": _num("int", 0, SEED_MAX),
        "coupling_map": _coupling_map,
        "basis_gates": _list(_str, "a list of str"),
    }

    noise_model: Any = Unset
    """A dict or ``qiskit_aer.noise.NoiseModel``. Default: None."""
    seed_simulator: int | UnsetType = Unset
    """Seed of the simulator. Default: None."""
    coupling_map: list[list[int]] | CouplingMap | UnsetType = Unset
    """Directed coupling map. Default: None (all-to-all)."""
    basis_gates: list[str] | UnsetType = Unset
    """Basis gate names. Default: all the simulator supports."""


@dataclass(kw_only=True)
class _PrimitiveOptions(_BaseOptions):
    """What both primitives' options share (ibm-runtime ``OptionsV2``)."""

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "max_execution_time": _num("int", 0),
    }

    _TOP: ClassVar[bool] = True

    max_execution_time: int | UnsetType = Unset
    """Maximum QPU time of the job, seconds (sent as ``cost``). Default (service): plan limit."""
    environment: EnvironmentOptions = field(default_factory=EnvironmentOptions)
    """Log level, tags, privacy and callback of the job."""
    simulator: SimulatorOptions = field(default_factory=SimulatorOptions)
    """Simulator options."""

    def _rules(self) -> None:
        _check_experimental_groups(self)


@dataclass(kw_only=True)
class SamplerOptions(_PrimitiveOptions):
    """Options of :class:`~qiskit_rest_primitives.SamplerV2` (names as qiskit-ibm-runtime).

    Set them at construction (``SamplerOptions(default_shots=1000)`` or from a nested dict),
    one at a time (``opts.twirling.enable_gates = True``), a group at a time
    (``opts.twirling = {"enable_gates": True}``) or with :meth:`update`. Fields left
    :data:`Unset` are not sent, so the service default applies.
    """

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "default_shots": _num("int", 1),
        "experimental": _experimental,
    }

    _UNSUPPORTED: ClassVar[dict[str, str]] = {
        name: "the Sampler does not support it (resilience and precision are Estimator options)"
        for name in ("resilience", "resilience_level", "seed_estimator", "default_precision")
    }

    default_shots: int | UnsetType = Unset
    """Shots for pubs that give none. Default (service): 4096."""
    dynamical_decoupling: DynamicalDecouplingOptions = field(
        default_factory=DynamicalDecouplingOptions
    )
    """Dynamical decoupling options."""
    execution: SamplerExecutionOptionsV2 = field(default_factory=SamplerExecutionOptionsV2)
    """Execution options."""
    twirling: TwirlingOptions = field(default_factory=TwirlingOptions)
    """Pauli twirling options."""
    experimental: dict[str, Any] | UnsetType = Unset
    """Experimental options: keys naming an option group merge into it; ``image`` selects the
    runtime image (sent as ``runtime``). Default: Unset."""


@dataclass(kw_only=True)
class EstimatorOptions(_PrimitiveOptions):
    """Options of :class:`~qiskit_rest_primitives.EstimatorV2` (names as qiskit-ibm-runtime).

    Settable like :class:`SamplerOptions`; adds precision, resilience and the estimator seed.
    """

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "default_precision": _num("float", 0, strict=True),
        "default_shots": _num("int", 0, none=True),
        "resilience_level": _num("int", 0, 2),
        "seed_estimator": _num("int", 0, SEED_MAX),
        "experimental": _experimental,
    }

    default_precision: float | UnsetType = Unset
    """Target precision for pubs that give none. Default (service): 0.015625."""
    default_shots: int | UnsetType | None = Unset
    """Shots per circuit configuration; overrides ``default_precision``. Default: None."""
    resilience_level: int | UnsetType = Unset
    """0 none, 1 readout mitigation, 2 adds ZNE. Default (service): 1."""
    seed_estimator: int | UnsetType = Unset
    """Seed for sampling. Default: None."""
    dynamical_decoupling: DynamicalDecouplingOptions = field(
        default_factory=DynamicalDecouplingOptions
    )
    """Dynamical decoupling options."""
    resilience: ResilienceOptionsV2 = field(default_factory=ResilienceOptionsV2)
    """Error mitigation options."""
    execution: ExecutionOptionsV2 = field(default_factory=ExecutionOptionsV2)
    """Execution options."""
    twirling: TwirlingOptions = field(default_factory=TwirlingOptions)
    """Pauli twirling options."""
    experimental: dict[str, Any] | UnsetType = Unset
    """Experimental options: keys naming an option group merge into it; ``image`` selects the
    runtime image (sent as ``runtime``). Default: Unset."""
