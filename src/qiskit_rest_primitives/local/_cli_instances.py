"""``create-instance``, ``update-instance`` and ``instances``: instances in a server's ``--db``.

They write the SQLite file a server uses (running or not); a running server sees the change
at its next request. Settings are checked by the same rules as the Resource Controller API.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from typing import Any

from .api._errors import ApiError
from .state import _instances
from .state._state import Instance, instance_from_row, new_instance_row
from .state._store import Store

COMMANDS = ("create-instance", "update-instance", "instances")


def add_parsers(sub: Any) -> None:
    """Add the instance commands to the CLI's subparsers."""
    create = sub.add_parser("create-instance", help="add an instance (own account) to a --db file")
    create.add_argument("name")
    _common(create, updating=False)
    create.add_argument("--plan", default="local-plan",
                        help="resource_plan_id: open (600 s limit by default), pay-as-you-go, "
                             "flex, premium or any other id")
    create.add_argument("--region", default="us-east", help="the CRN's region")
    create.add_argument("--tags", default="", help="comma-separated tags")
    update = sub.add_parser("update-instance", help="change an instance in a --db file")
    update.add_argument("instance", help="name or CRN")
    update.add_argument("--name", dest="new_name", default=None, help="rename it")
    _common(update, updating=True)
    listing = sub.add_parser("instances", help="list the instances of a --db file")
    listing.add_argument("--db", required=True, help="the SQLite file a server uses (--db)")
    listing.add_argument("--json", action="store_true", help="print Resource Controller documents")


def _common(parser: argparse.ArgumentParser, *, updating: bool) -> None:
    parser.add_argument("--db", required=True, help="the SQLite file a server uses (--db)")
    parser.add_argument("--backends", default=None if updating else "ANY",
                        help="comma-separated allow-list; ANY (every backend) or '' for none")
    word = "'none' removes it" if updating else "default: the plan's"
    parser.add_argument("--instance-limit-seconds", default=None, metavar="N",
                        help=f"usage limit in seconds ({word})")
    parser.add_argument("--usage-allocation-seconds", default=None, metavar="N",
                        help=f"fair-share allocation in seconds ({word})")


def run(args: argparse.Namespace) -> int:
    """Run one instance command; 2 with a message on stderr for bad settings."""
    if args.command != "create-instance" and not os.path.exists(args.db):
        # Opening would create an empty database: a mistyped path would list no instances.
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), args.db)
    store = Store(args.db)
    try:
        if args.command == "instances":
            return _list(store, as_json=args.json)
        try:
            return _create(store, args) if args.command == "create-instance" else _update(
                store, args)
        except ApiError as exc:
            print(f"error: {exc.message}", file=sys.stderr, flush=True)
            return 2
    finally:
        store.close()


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """The given settings, validated as Resource Controller ``parameters``."""
    wire: dict[str, Any] = {}
    for key in ("instance_limit_seconds", "usage_allocation_seconds"):
        value = getattr(args, key)
        if value is not None:
            wire[key] = None if value.lower() == "none" else value
    if args.backends is not None:
        wire["backends"] = [b.strip() for b in args.backends.split(",") if b.strip()]
    return _instances.parse_parameters(wire)


def _create(store: Store, args: argparse.Namespace) -> int:
    settings = _settings(args)
    plan = _instances.plan_of(args.plan)
    row = new_instance_row(
        args.name, backends=settings.get("backends", ["ANY"]),
        instance_limit_seconds=settings.get("instance_limit_seconds", plan.default_limit_seconds),
        usage_allocation_seconds=settings.get("usage_allocation_seconds"), is_default=False,
        region=args.region, resource_plan_id=args.plan,
        tags=[t.strip() for t in args.tags.split(",") if t.strip()])
    store.add_instance(row)
    print_instance(instance_from_row(row))
    return 0


def print_instance(instance: Instance) -> None:
    """Name, API key and CRN, one per line (the key is what a user needs to connect)."""
    print(f"Instance:    {instance.name}", flush=True)
    print(f"API key:     {instance.api_key}", flush=True)
    print(f"CRN:         {instance.crn}", flush=True)


def _update(store: Store, args: argparse.Namespace) -> int:
    rows = [r for r in store.instances() if args.instance in (r["crn"], r["name"])]
    if len(rows) != 1:
        found = "No" if not rows else f"{len(rows)}"
        print(f"error: {found} instances match {args.instance!r}; give its CRN",
              file=sys.stderr, flush=True)
        return 2
    fields = _settings(args)
    if args.new_name:
        fields["name"] = args.new_name
    if not fields:
        print("error: nothing to change", file=sys.stderr, flush=True)
        return 2
    store.update_instance(rows[0]["crn"], **fields)
    _print_rows([store.instance(crn=rows[0]["crn"]) or {}])
    return 0


def _list(store: Store, *, as_json: bool) -> int:
    rows = store.instances()
    if as_json:
        print(json.dumps([_instances.document(r) for r in rows], indent=2), flush=True)
    else:
        _print_rows(rows)
    return 0


def _print_rows(rows: list[dict[str, Any]]) -> None:
    print("NAME\tPLAN\tLIMIT_S\tALLOCATION_S\tBACKENDS\tCRN", flush=True)
    for row in rows:
        cells = [row["name"], row["resource_plan_id"], row["instance_limit_seconds"],
                 row["usage_allocation_seconds"], ",".join(row["backends"]) or "-", row["crn"]]
        print("\t".join("-" if c is None else str(c) for c in cells), flush=True)
