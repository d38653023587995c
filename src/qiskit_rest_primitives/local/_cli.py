"""``qiskit-rest-primitives serve``: run the server (instance commands: ``_cli_instances``)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from . import Limits, LocalRuntimeServer, _cli_instances


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
    _cli_instances.add_parsers(sub)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Start the server, print URL, API key and CRN, and block until SIGINT/SIGTERM."""
    args = _parser().parse_args(argv)
    if args.command in _cli_instances.COMMANDS:
        return _cli_instances.run(args)
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
            _cli_instances.print_instance(server.create_instance(name))
        while not stop.wait(0.2):
            pass
    print("Stopped.", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
