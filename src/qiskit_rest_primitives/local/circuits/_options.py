"""Allowed keys of ``params`` and ``params.options`` per program (wire-format §6.4)."""

from __future__ import annotations

from typing import Any

from ..api._errors import bad_request
from ._option_schema import checked_options

_DD = {"enable", "sequence_type", "extra_slack_distribution", "scheduling_method",
       "skip_reset_qubits"}
_TWIRLING = {"enable_gates", "enable_measure", "num_randomizations", "shots_per_randomization",
             "strategy"}
_SIMULATOR = {"noise_model", "seed_simulator", "coupling_map", "basis_gates"}
_RESILIENCE = {"measure_mitigation", "measure_noise_learning", "zne_mitigation", "zne",
               "pec_mitigation", "pec", "layer_noise_learning", "layer_noise_model"}

# None means "free-form"; a set lists the allowed keys of that sub-dict.
_SAMPLER_OPTIONS: dict[str, set[str] | None] = {
    "default_shots": set(), "dynamical_decoupling": _DD,
    "execution": {"init_qubits", "rep_delay", "meas_type"}, "twirling": _TWIRLING,
    "simulator": _SIMULATOR, "experimental": None,
}
_ESTIMATOR_OPTIONS: dict[str, set[str] | None] = {
    "seed_estimator": set(), "default_precision": set(), "default_shots": set(),
    "dynamical_decoupling": _DD, "resilience": _RESILIENCE,
    "execution": {"init_qubits", "rep_delay"}, "twirling": _TWIRLING,
    "simulator": _SIMULATOR, "experimental": None,
}
_PARAMS = {
    "sampler": {"pubs", "options", "shots", "support_qiskit", "version"},
    "estimator": {"pubs", "options", "resilience_level", "precision", "support_qiskit", "version"},
}


def check_params(program: str, params: Any) -> dict[str, Any]:
    """The job's options as the service reads them; a 400 ``ApiError`` naming the first
    unknown or malformed key or value."""
    if not isinstance(params, dict):
        raise bad_request("'params' must be an object")
    unknown = sorted(set(params) - _PARAMS[program])
    if unknown:
        raise bad_request(f"unknown {program} params key(s) {unknown}")
    if params.get("version", 2) != 2:
        raise bad_request(f"params.version must be 2, got {params.get('version')!r}")
    pubs = params.get("pubs")
    if not isinstance(pubs, list) or not pubs:
        raise bad_request("params.pubs must be a non-empty list of pubs")
    level = params.get("resilience_level")
    if level is not None and (isinstance(level, bool) or level not in (0, 1, 2)):
        raise bad_request(f"resilience_level must be 0, 1 or 2, got {level!r}")
    if not isinstance(params.get("support_qiskit", True), bool):
        raise bad_request(f"params.support_qiskit must be true or false, got "
                          f"{params['support_qiskit']!r}")
    shots = params.get("shots")
    if shots is not None and (isinstance(shots, bool) or not isinstance(shots, int) or shots < 0):
        raise bad_request(f"params.shots must be a non-negative integer, got {shots!r}")
    options = params.get("options") or {}
    _check_options(program, options)
    return checked_options(program, options)


def _check_options(program: str, options: Any) -> None:
    if not isinstance(options, dict):
        raise bad_request("params.options must be an object")
    allowed = _SAMPLER_OPTIONS if program == "sampler" else _ESTIMATOR_OPTIONS
    for key, value in options.items():
        if key not in allowed:
            raise bad_request(f"unknown {program} option '{key}'")
        sub = allowed[key]
        if sub and value is not None:
            if not isinstance(value, dict):
                raise bad_request(f"option '{key}' must be an object")
            extra = sorted(set(value) - sub)
            if extra:
                raise bad_request(f"unknown {program} option(s) {[f'{key}.{e}' for e in extra]}")
    for name in ("default_shots", "seed_estimator"):
        value = options.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise bad_request(f"option '{name}' must be an integer, got {value!r}")
    seeds = {"seed_estimator": options.get("seed_estimator"),
             "simulator.seed_simulator": (options.get("simulator") or {}).get("seed_simulator")}
    for name, value in seeds.items():  # numpy and Aer refuse these only mid-simulation
        if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value < 2**63:
            raise bad_request(f"option '{name}' must be in 0..2**63-1, got {value}")
    _check_meas_type(options)


def _check_meas_type(options: dict[str, Any]) -> None:
    """``execution.meas_type`` is one of three, and IQ points cannot be measurement-twirled."""
    meas_type = (options.get("execution") or {}).get("meas_type")
    if meas_type is None:
        return
    if meas_type not in ("classified", "kerneled", "avg_kerneled"):
        raise bad_request("option 'execution.meas_type' must be 'classified', 'kerneled' or "
                          f"'avg_kerneled', got {meas_type!r}")
    if meas_type != "classified" and (options.get("twirling") or {}).get("enable_measure"):
        raise bad_request(f"execution.meas_type={meas_type!r} and measurement twirling are not "
                          "compatible: set twirling.enable_measure=False or meas_type "
                          "'classified'")
