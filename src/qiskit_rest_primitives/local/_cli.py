"""``qiskit-rest-primitives serve``: run the server (instance commands: ``_cli_instances``)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from . import Limits, LocalRuntimeServer, _cli_instances
from .state._state import Instance

#: Environment variables that give ``serve`` options their defaults (command line wins).
ENV = {"api_key": "QRP_API_KEY", "instance": "QRP_INSTANCE", "workers": "QRP_WORKERS",
       "log_level": "QRP_LOG_LEVEL"}
_LEVELS = ("debug", "info", "warning", "error")


def _port(text: str) -> int:
    """A TCP port number, 0 to 65535 (argparse names the flag when this raises)."""
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, got {text!r}")
    return int(text)


def _serve_options(target: argparse.ArgumentParser) -> None:
    env = os.environ
    target.add_argument("--host", default="127.0.0.1", help="bind address")
    target.add_argument("--port", type=_port, default=8000, help="TCP port (0 = any free)")
    target.add_argument("--db", default=None, help="SQLite file (default: in memory)")
    target.add_argument("--noise", action="store_true", help="simulate with device noise")
    target.add_argument("--seed", type=int, default=None, help="simulator seed")
    target.add_argument("--workers", type=int, default=int(env.get(ENV["workers"], "1")),
                        help="simulations that may run at once, each in its own process "
                             f"(default 1; env {ENV['workers']})")
    target.add_argument("--api-key", default=env.get(ENV["api_key"]), metavar="KEY",
                        help=f"fix the default instance's API key (env {ENV['api_key']})")
    target.add_argument("--instance", default=env.get(ENV["instance"]), metavar="NAME",
                        help="fix the default instance: a name (its CRN is derived from it, "
                             f"the same at every start) or a CRN (env {ENV['instance']})")
    target.add_argument("--extra-instance", action="append", default=[], metavar="NAME",
                        help="also create an instance NAME (all backends, no limits)")
    target.add_argument("--log-level", choices=_LEVELS,
                        default=env.get(ENV["log_level"], "info").lower(),
                        help="request and job log on stderr (default info: one line per "
                             f"request; env {ENV['log_level']})")
    target.add_argument("--json", action="store_true",
                        help="print the banner as one JSON object on one line")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qiskit-rest-primitives",
                                     description="Local Qiskit Runtime REST server.")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the local server (default command)")
    for target in (parser, serve):
        _serve_options(target)
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


def _banner(server: LocalRuntimeServer, extra: list[Instance], as_json: bool) -> None:
    default = server.default_instance
    if as_json:
        print(json.dumps({
            "url": server.url, "iam_url": server.iam_url, "api_key": default.api_key,
            "instance": default.crn, "instance_name": default.name, "workers": server.workers,
            "pid": os.getpid(),
            "extra_instances": [{"name": i.name, "api_key": i.api_key, "crn": i.crn}
                                for i in extra]}), flush=True)
        return
    print(f"Runtime API: {server.url}", flush=True)
    print(f"IAM URL:     {server.iam_url}", flush=True)
    print(f"API key:     {default.api_key}", flush=True)
    print(f"CRN:         {default.crn}", flush=True)
    for instance in extra:
        _cli_instances.print_instance(instance)


def _failed(prog: str, exc: OSError | sqlite3.DatabaseError, db: str | None) -> int:
    """Say why the command cannot start in one line, no traceback; exit status 1."""
    if isinstance(exc, sqlite3.DatabaseError):  # e.g. "file is not a database"
        reason = f"--db {db}: {exc}"
    else:
        reason = f"{exc.strerror}: {exc.filename}" if exc.filename else str(exc.strerror or exc)
    print(f"{prog}: {reason}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Start the server, print URL, API key and CRN, and block until SIGINT/SIGTERM."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command in _cli_instances.COMMANDS:
        try:
            return _cli_instances.run(args)
        except (OSError, sqlite3.DatabaseError) as exc:
            return _failed(parser.prog, exc, args.db)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    server = LocalRuntimeServer(host=args.host, port=args.port, db=args.db, noise=args.noise,
                                seed=args.seed, limits=_limits(args), workers=args.workers,
                                api_key=args.api_key, instance=args.instance,
                                request_log=0)  # nothing here reads it: keep no bodies
    try:
        server.start()
    except ValueError as exc:  # bad --api-key / --instance: no traceback, no key echoed
        parser.error(str(exc))
    except (OSError, sqlite3.DatabaseError) as exc:  # port in use, a bad --db: one line
        return _failed(parser.prog, exc, args.db)
    try:
        extra = [server.create_instance(name) for name in args.extra_instance]
        _banner(server, extra, args.json)
        while not stop.wait(0.2):
            pass
    finally:
        server.stop()
    print("Stopped.", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
