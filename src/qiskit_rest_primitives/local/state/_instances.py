"""Instances as IBM Cloud sees them: plans, parameters, and the documents of each API.

One stored row per instance serves the Resource Controller (``/v2/resource_instances``), Global
Search and Global Catalog (how clients find instances) and the Runtime API's own instance
endpoints, so an instance created or changed through any of them is the one jobs run under.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ..api._errors import ApiError, bad_request, shown
from ._backends import backend_names
from ._state import ServerState, new_instance_row

#: The Qiskit Runtime offering's id in IBM Cloud's catalog (instances.md §2).
RESOURCE_ID = "b6049020-80f4-11eb-a0f7-e35ec9b4054f"
_DIGITS = re.compile(r"^[0-9]+$")
_SECONDS_KEYS = ("instance_limit_seconds", "usage_allocation_seconds")
#: The largest number of seconds the store keeps (SQLite's INTEGER is 64-bit signed).
MAX_SECONDS = 2**63 - 1
_PARAMETER_KEYS = (*_SECONDS_KEYS, "backends")
#: Rows per page of ``GET /v2/resource_instances`` (the API's default and largest ``limit``).
PAGE_SIZE = 100
_NAME = re.compile(r"^[\w .:-]{1,180}$")  # RC: at most 180 characters, no other specials


@dataclass(frozen=True)
class Plan:
    """A service plan: catalog id, display name, pricing type and default usage limit."""

    id: str
    name: str
    pricing: str
    default_limit_seconds: int | None = None


#: The plans this server knows by ``resource_plan_id``; any other id is accepted as a plan of
#: its own name with pricing "unknown" (there is no catalog to check it against).
PLANS = {plan.id: plan for plan in (
    Plan("open", "Open", "free", 600),  # seed: Open Plan limit defaults to 10 minutes
    Plan("pay-as-you-go", "Pay-As-You-Go", "paygo"),
    Plan("flex", "Flex", "subscription"),
    Plan("premium", "Premium", "subscription"),
    Plan("local-plan", "Local", "free"),
)}


def plan_of(plan_id: str) -> Plan:
    """The plan for a ``resource_plan_id``."""
    return PLANS.get(plan_id) or Plan(plan_id, plan_id, "unknown")


def guid_of(crn: str) -> str:
    """The instance GUID: the CRN's 8th field."""
    fields = crn.split(":")
    return fields[7] if len(fields) > 7 else crn


def region_of(crn: str) -> str:
    """The CRN's region field."""
    fields = crn.split(":")
    return fields[5] if len(fields) > 5 else ""


# -- parameters --------------------------------------------------------------------------------
def parse_parameters(value: Any) -> dict[str, Any]:
    """Validate a request's ``parameters``: seconds as digit strings or null, backends a list.

    Returns the normalised settings for the keys given (seconds as ``int | None``).
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_request("'parameters' must be an object.")
    unknown = sorted(set(value) - set(_PARAMETER_KEYS))
    if unknown:
        raise bad_request(f"Unknown parameter(s) {unknown}; allowed: {list(_PARAMETER_KEYS)}.")
    settings: dict[str, Any] = {}
    for key in _SECONDS_KEYS:
        if key in value:
            settings[key] = _seconds(key, value[key])
    if "backends" in value:
        settings["backends"] = _backends(value["backends"])
    return settings


def _seconds(key: str, raw: Any) -> int | None:
    if raw is None:
        return None
    if (not isinstance(raw, str) or not _DIGITS.fullmatch(raw)
            or len(raw) > len(str(MAX_SECONDS)) or int(raw) > MAX_SECONDS):
        raise bad_request(f"Parameter '{key}' must be a string of at most {MAX_SECONDS} in "
                          f"digits (e.g. \"600\") or null, got {shown(raw)}.")
    return int(raw)


def _backends(raw: Any) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(b, str) and b for b in raw):
        raise bad_request("Parameter 'backends' must be a list of backend names, [\"ANY\"] or [].")
    if "ANY" in raw:
        if raw != ["ANY"]:
            raise bad_request("Parameter 'backends': \"ANY\" cannot be combined with names.")
        return ["ANY"]
    unknown = sorted(set(raw) - set(backend_names()))
    if unknown:
        raise bad_request(f"Parameter 'backends' names unknown backend(s) {unknown}; "
                          f"known: {backend_names()}.")
    return list(dict.fromkeys(raw))


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"'{key}' is required and must be a non-empty string.")
    return value


def _tags(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, str) and t for t in value):
        raise bad_request("'tags' must be a list of non-empty strings.")
    return list(value)


# -- Resource Controller operations ------------------------------------------------------------
def create(state: ServerState, account: str, body: Any) -> dict[str, Any]:
    """``POST /v2/resource_instances``: a new instance in the caller's account."""
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.")
    name = _text(body, "name")
    if not _NAME.match(name):
        raise bad_request("'name' must be 1 to 180 characters: letters, digits, space - . _ :")
    target, group, plan_id = (_text(body, k) for k in ("target", "resource_group",
                                                       "resource_plan_id"))
    if ":" in target or "/" in target:  # it becomes the CRN's region field
        raise bad_request(f"'target' must be a region such as 'us-east', got {target!r}.")
    raw = body.get("parameters")
    settings = parse_parameters(raw)
    plan = plan_of(plan_id)
    row = new_instance_row(
        name, backends=settings.get("backends", ["ANY"]),
        instance_limit_seconds=settings.get("instance_limit_seconds", plan.default_limit_seconds),
        usage_allocation_seconds=settings.get("usage_allocation_seconds"), is_default=False,
        account=account, region=target, resource_group_id=group, resource_plan_id=plan_id,
        tags=_tags(body.get("tags")), parameters=raw or {})
    state.store.add_instance(row)
    return _stored(state, row["crn"])


def update(state: ServerState, row: dict[str, Any], body: Any) -> dict[str, Any]:
    """``PATCH /v2/resource_instances/{id}``: a new name, plan or parameters (given keys only;
    a new plan keeps the settings, its default limit applies to new instances only)."""
    if not isinstance(body, dict) or not set(body) & {"name", "parameters", "resource_plan_id"}:
        raise bad_request("The body must be an object with 'name', 'parameters' and/or "
                          "'resource_plan_id'.")
    fields: dict[str, Any] = {}
    for key in ("name", "resource_plan_id"):
        if key in body:
            fields[key] = _text(body, key)
    if "parameters" in body:
        fields.update(parse_parameters(body["parameters"]))
        fields["parameters"] = body["parameters"] or {}
    state.store.update_instance(row["crn"], **fields)
    return _stored(state, row["crn"])


def find(state: ServerState, account: str, crn_or_guid: str) -> dict[str, Any]:
    """One instance of the account by CRN or GUID, or 404."""
    if crn_or_guid.startswith("crn:"):
        row = state.store.instance(crn=crn_or_guid)
        if row is not None and row["account"] == account:
            return row
    else:
        for row in state.store.instances(account, state="any"):
            if guid_of(row["crn"]) == crn_or_guid:
                return row
    raise ApiError(404, f"Resource instance '{crn_or_guid}' was not found.", "RC-404")


def changeable(row: dict[str, Any]) -> dict[str, Any]:
    """The row, unless the instance was deleted (410, as the Resource Controller answers)."""
    if row["removed"]:
        raise ApiError(410, f"Resource instance '{row['crn']}' has been removed.", "RC-410")
    return row


def listing(state: ServerState, account: str, query: Any) -> dict[str, Any]:
    """``GET /v2/resource_instances`` with its filters."""
    filters = {key: query.get(key) for key in ("name", "guid", "resource_id", "resource_plan_id",
                                               "resource_group_id")}
    wanted = query.get("state") or "active"  # RC: active (and provisioning) unless asked
    if wanted not in ("active", "removed"):
        raise bad_request(f"'state' must be 'active' or 'removed', got {wanted!r}.")
    rows = [document(r) for r in state.store.instances(account, state=wanted)]
    found = [doc for doc in rows
             if all(value is None or doc.get(key) == value for key, value in filters.items())]
    limit, start = query.get("limit") or str(PAGE_SIZE), query.get("start") or "0"
    if not _DIGITS.fullmatch(limit) or len(limit) > 3 or not 1 <= int(limit) <= PAGE_SIZE:
        raise bad_request(f"'limit' must be an integer in 1..{PAGE_SIZE}, got {shown(limit)}.")
    if not _DIGITS.fullmatch(start) or len(start) > 18:
        raise bad_request(f"'start' must be a token from a 'next_url', got {shown(start)}.")
    first, size = int(start), int(limit)
    page, next_url = found[first:first + size], None
    if first + size < len(found):
        rest = {k: v for k, v in query.items() if k not in ("start", "limit")}
        next_url = "/v2/resource_instances?" + urlencode(
            {**rest, "limit": size, "start": first + size})
    return {"rows_count": len(page), "next_url": next_url, "resources": page}


def _stored(state: ServerState, crn: str) -> dict[str, Any]:
    row = state.store.instance(crn=crn)
    assert row is not None
    return document(row)


def extensions(row: dict[str, Any]) -> dict[str, Any]:
    """The normalised settings, as ``extensions`` reports them (integers, not strings)."""
    return {"instance_limit_seconds": row["instance_limit_seconds"],
            "usage_allocation_seconds": row["usage_allocation_seconds"],
            "backends": list(row["backends"])}


def document(row: dict[str, Any]) -> dict[str, Any]:
    """The Resource Controller's ``ResourceInstance`` document."""
    crn, guid, region = row["crn"], guid_of(row["crn"]), region_of(row["crn"])
    return {
        "id": crn, "guid": guid, "crn": crn, "url": f"/v2/resource_instances/{guid}",
        "name": row["name"], "region_id": region, "account_id": row["account"],
        "resource_group_id": row["resource_group_id"], "resource_plan_id": row["resource_plan_id"],
        "resource_id": RESOURCE_ID, "type": "service_instance",
        "state": "removed" if row["removed"] else "active", "deleted_at": row["removed"],
        "target_crn": f"crn:v1:bluemix:public:globalcatalog::::deployment:"
                      f"{row['resource_plan_id']}:{region}",
        "tags": list(row["tags"]), "parameters": row["parameters"], "extensions": extensions(row),
        "created_at": row["created"], "updated_at": row["updated"] or row["created"],
        "locked": False, "allow_cleanup": False,
        "last_operation": {"type": "delete" if row["removed"] else
                           "update" if row["updated"] else "create",
                           "state": "succeeded", "async": False},
    }


# -- Global Search and Global Catalog ----------------------------------------------------------
def search(state: ServerState, account: str, body: Any) -> dict[str, Any]:
    """``POST /v3/resources/search``: the account's Qiskit Runtime instances.

    Understands the Lucene terms clients use here: ``service_name:quantum-computing``,
    ``name:...``, ``crn:...``, joined by ``AND``; any other term is refused with 400.
    """
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.")
    terms = _terms(str(body.get("query") or "*"))
    items = []
    for row in state.store.instances(account):
        item = {"crn": row["crn"], "name": row["name"], "family": "resource_controller",
                "type": "resource-instance", "account_id": account,
                "service_name": "quantum-computing",
                "service_plan_unique_id": row["resource_plan_id"], "tags": list(row["tags"]),
                "doc": {**document(row)}}
        if all(str(item.get(key, "")).strip('"') == value for key, value in terms):
            items.append(item)
    return {"items": items, "search_cursor": None, "limit": len(items)}


def _terms(query: str) -> list[tuple[str, str]]:
    if query.strip() == "*":
        return []
    terms = []
    for part in re.split(r"\s+AND\s+", query.strip()):
        key, sep, value = part.partition(":")
        if not sep or key not in ("service_name", "name", "crn", "service_plan_unique_id"):
            raise bad_request(f"Unsupported search term {part!r}: use service_name:, name:, crn: "
                              "or service_plan_unique_id:, joined by AND.")
        terms.append((key, value.strip('"').replace("\\:", ":")))
    return terms


def catalog_entry(plan_id: str) -> dict[str, Any]:
    """The Global Catalog's entry (``GET {catalog}/{id}``) for a plan id."""
    plan = plan_of(plan_id)
    return {"id": plan.id, "name": plan.id, "kind": "plan", "active": True,
            "overview_ui": {"en": {"display_name": plan.name, "description": plan.name}},
            "metadata": {"pricing": {"type": plan.pricing}}}


# -- the Runtime API's instance endpoints (instances.md §3) ------------------------------------
def runtime_instance(row: dict[str, Any]) -> dict[str, Any]:
    """``GET /api/v1/instance``."""
    limit, alloc = row["instance_limit_seconds"], row["usage_allocation_seconds"]
    return {"crn": row["crn"], "name": row["name"], "plan_id": row["resource_plan_id"],
            "backends": list(row["backends"]), "instance_limit": limit,
            "instance_limit_seconds": None if limit is None else str(limit),
            "usage_allocation_seconds": None if alloc is None else str(alloc)}


def set_configuration(state: ServerState, row: dict[str, Any], body: Any) -> None:
    """``PUT /api/v1/instances/configuration``: a new limit, or none; 409 below the usage."""
    if not isinstance(body, dict) or set(body) != {"instance_limit"}:
        raise bad_request('The body must be {"instance_limit": <seconds or null>}.')
    limit = body["instance_limit"]
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                              or not 0 <= limit <= MAX_SECONDS):
        raise bad_request(f"'instance_limit' must be an integer from 0 to {MAX_SECONDS} or "
                          f"null, got {shown(limit)}.")
    if limit is not None and state.store.usage_seconds(row["crn"]) > limit:
        raise ApiError(409, f"The instance has already used more than {limit} seconds.", "1300")
    state.store.update_instance(row["crn"], instance_limit_seconds=limit)


def usage(state: ServerState, row: dict[str, Any]) -> dict[str, Any]:
    """``GET /api/v1/instances/usage``."""
    consumed = int(state.store.usage_seconds(row["crn"]))
    limit, alloc = row["instance_limit_seconds"], row["usage_allocation_seconds"]
    cap = limit if limit is not None else alloc
    out: dict[str, Any] = {
        "instance_id": row["crn"], "plan_id": row["resource_plan_id"],
        "usage_period": {"start_time": row["created"], "end_time": None},
        "usage_consumed_seconds": consumed,
        "usage_limit_reached": limit is not None and consumed >= limit,
    }
    if limit is not None:
        out["usage_limit_seconds"] = limit
    if alloc is not None:
        out["usage_allocation_seconds"] = alloc
    if cap is not None:
        out["usage_remaining_seconds"] = max(cap - consumed, 0)
    return out
