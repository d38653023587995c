"""``qiskit-rest-primitives serve | create-instance``: run the local server, provision instances."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from . import Limits, LocalRuntimeServer
from ._state import Instance, instance_from_row, new_instance_row
from ._store import Store


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qiskit-rest-primitives",
                                     description="Local Qiskit Runtime REST server.")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the local server (default command)")
    for target in (parser, serve):
        target.add_argument("--host", default="127.0.0.1", help="bind address")
        target.add_argument("--port", type=int, default=8000, help="TCP port (0 = any free)")
        target.add_argument("--db", default=None, help="SQLite file (default: in memory)")
        target.add_argument("--noise", action="store_true", help="simulate with device noise")
        target.add_argument("--seed", type=int, default=None, help="simulator seed")
        target.add_argument("--instance", action="append", default=[], metavar="NAME",
                            help="also create an instance NAME (all backends, no limits)")
        _add_limit_flags(target)
    create = sub.add_parser("create-instance", help="add an instance to a --db file")
    create.add_argument("name")
    create.add_argument("--db", required=True, help="the SQLite file a server uses (--db)")
    create.add_argument("--backends", default="ANY",
                        help="comma-separated allow-list; ANY (default) or '' for none")
    create.add_argument("--instance-limit-seconds", type=int, default=None)
    create.add_argument("--usage-allocation-seconds", type=int, default=None)
    return parser


def _add_limit_flags(parser: argparse.ArgumentParser) -> None:
    """One ``--max-...`` flag per ``Limits`` field, defaulting to the field's default."""
    defaults = Limits()
    for name in Limits.option_names():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, dest=name,
                            default=getattr(defaults, name), metavar="N",
                            help=f"input limit (default {getattr(defaults, name)})")


def _limits(args: argparse.Namespace) -> Limits:
    try:
        return Limits(**{name: getattr(args, name) for name in Limits.option_names()})
    except ValueError as exc:
        raise SystemExit(f"qiskit-rest-primitives: {exc}") from exc


def _print_instance(instance: Instance) -> None:
    print(f"Instance:    {instance.name}", flush=True)
    print(f"API key:     {instance.api_key}", flush=True)
    print(f"CRN:         {instance.crn}", flush=True)


def _create_instance(args: argparse.Namespace) -> int:
    """Write a new instance into the database file; a server on that file sees it at once."""
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    row = new_instance_row(args.name, backends=backends,
                           instance_limit_seconds=args.instance_limit_seconds,
                           usage_allocation_seconds=args.usage_allocation_seconds,
                           is_default=False)
    store = Store(args.db)
    try:
        store.add_instance(row)
    finally:
        store.close()
    _print_instance(instance_from_row(row))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Start the server, print URL, API key and CRN, and block until SIGINT/SIGTERM."""
    args = _parser().parse_args(argv)
    if args.command == "create-instance":
        return _create_instance(args)
    stop = threading.Event()

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    server = LocalRuntimeServer(host=args.host, port=args.port, db=args.db, noise=args.noise,
                                seed=args.seed, limits=_limits(args))
    with server:
        print(f"Runtime API: {server.url}", flush=True)
        print(f"IAM URL:     {server.iam_url}", flush=True)
        print(f"API key:     {server.api_key}", flush=True)
        print(f"CRN:         {server.instance}", flush=True)
        for name in args.instance:
            _print_instance(server.create_instance(name))
        while not stop.wait(0.2):
            pass
    print("Stopped.", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
