"""The simulator's models: the `sim*` entries of the contract's model catalogue.

Policy: `/v1/models` lists only the listed `sim*` entries (the simulator does not pretend to
serve Claude models); any id beginning with `sim` is accepted by `/v1/messages` and answered
by `/v1/models/{id}` with `sim-1`'s capabilities, as `contract.catalogue.get_model` does.
"""

from __future__ import annotations

import copy

from playground.contract import catalogue


def is_sim(model_id: object) -> bool:
    return isinstance(model_id, str) and catalogue.is_simulated(model_id)


def model_infos() -> list[dict]:
    """ModelInfo dicts of the listed simulator models, in catalogue order."""
    return [copy.deepcopy(m) for m in catalogue.MODELS if is_sim(m["id"])]


def model_info(model_id: str) -> dict | None:
    return catalogue.get_model(model_id) if is_sim(model_id) else None
