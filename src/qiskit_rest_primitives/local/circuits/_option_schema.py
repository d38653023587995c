"""Option values checked against IBM's own models of the service's inputs.

``ibm-quantum-schemas`` (IBM's published pydantic models of the primitives' inputs, the
``[SCHEMAS]`` source of the wire-format reference) says what each option may hold: an int
at least 1 or ``"auto"`` for ``twirling.num_randomizations``, a boolean for
``execution.init_qubits``, a ``NoiseModel`` envelope for ``simulator.noise_model`` and so on.
A job whose options break them is a 400 naming the option, before it is queued; the
options the rest of the server reads are the models' own reading of them (``"false"`` is
``False`` there, as it is for the service), holding only the fields the job set.
"""

from __future__ import annotations

from typing import Any

from ibm_quantum_schemas.estimator.version_0_1.options import OptionsModel as _EstimatorOptions
from ibm_quantum_schemas.sampler.version_0_1.options import OptionsModel as _SamplerOptions
from pydantic import BaseModel, ValidationError

from ..api._errors import bad_request, shown

_MODELS: dict[str, type[BaseModel]] = {"sampler": _SamplerOptions,
                                       "estimator": _EstimatorOptions}


def checked_options(program: str, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` as the service's model reads them; a 400 naming the first bad option."""
    if not options:
        return options
    try:
        model = _MODELS[program].model_validate(_noise_model_enveloped(options))
    except ValidationError as exc:
        error = exc.errors()[0]
        path = _option_path(options, error["loc"])
        raise bad_request(f"option '{path}': {error['msg']} (got {shown(error.get('input'))})"
                          ) from None
    read: dict[str, Any] = model.model_dump(exclude_unset=True, by_alias=True)
    return read


def _noise_model_enveloped(options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with a plain-dict ``simulator.noise_model`` in its ``NoiseModel`` envelope.

    The models want ``{"__type__": "NoiseModel", "__value__": {...}}``, while the official
    client sends a noise model's dict form bare (its ``to_dict()``, whether the user gave a
    dict or an Aer ``NoiseModel``); both are accepted.
    """
    simulator = options.get("simulator")
    if not isinstance(simulator, dict):
        return options
    model = simulator.get("noise_model")
    if not isinstance(model, dict) or "__type__" in model:
        return options
    return {**options, "simulator": {**simulator, "noise_model": {"__type__": "NoiseModel",
                                                                  "__value__": model}}}


def _option_path(options: Any, loc: tuple[int | str, ...]) -> str:
    """The dotted path of an error's location, without pydantic's union-branch labels
    (``twirling.num_randomizations``, not ``twirling.num_randomizations.constrained-int``)."""
    parts: list[str] = []
    node = options
    for key in loc:
        inside = (key in node if isinstance(node, dict)
                  else isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node))
        if inside:
            node = node[key]
        else:  # a label, or a field the input lacks (named, then stop)
            if isinstance(node, dict) and not parts:
                parts.append(str(key))
            break
        parts.append(str(key))
    return ".".join(parts) or "options"
