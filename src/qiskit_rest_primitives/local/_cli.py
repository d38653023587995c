"""``qiskit-rest-primitives serve``: run the local server in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from . import LocalRuntimeServer


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Start the server, print URL, API key and CRN, and block until SIGINT/SIGTERM."""
    args = _parser().parse_args(argv)
    stop = threading.Event()

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    server = LocalRuntimeServer(host=args.host, port=args.port, db=args.db, noise=args.noise,
                                seed=args.seed)
    with server:
        print(f"Runtime API: {server.url}", flush=True)
        print(f"IAM URL:     {server.iam_url}", flush=True)
        print(f"API key:     {server.api_key}", flush=True)
        print(f"CRN:         {server.instance}", flush=True)
        while not stop.wait(0.2):
            pass
    print("Stopped.", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
