"""Command line: `peerclick-emulator` or `python -m peerclick_emulator`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from peerclick_emulator.config import DEFAULT_ACCESS_ID, DEFAULT_ACCESS_KEY, EmulatorConfig


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peerclick-emulator",
        description="A local PeerClick API server for development and tests. "
        "Prints PEERCLICK_EMULATOR_URL=<base url> once it listens.",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1")
    add("--port", type=int, default=8080, help="0 picks a free port")
    add(
        "--access-id",
        action="append",
        help=f"access key ID (repeat for more accounts; default {DEFAULT_ACCESS_ID})",
    )
    add("--access-key", action="append", help="access key, one per --access-id")
    add("--token-lifetime", type=int, default=86400, help="default token lifetime in seconds")
    add("--seed", type=int, default=42, help="report data seed")
    add("--campaigns", type=int, default=20, help="campaigns in reports (e.g. 100000 for big reports)")
    add("--rate-limit", type=int, default=3, help="requests per second per account, all routes")
    add("--report-rate-limit", type=int, default=1, help="report requests per second per account")
    add(
        "--omit-columns",
        default="",
        help="comma-separated metrics that reports never return (e.g. profit): a server with fewer columns",
    )
    add(
        "--late-conversions",
        type=int,
        default=0,
        metavar="DAYS",
        help="a day's conversions and revenue keep growing for DAYS days after it (default 0: final at once)",
    )
    add("--port-file", type=Path, help="also write the chosen port to this file")
    add("--verbose", action="store_true", help="log every request (never tokens or keys)")
    add(
        "--request-log",
        type=Path,
        help="append one JSON line per rate-limited request to this file: time, account, method, path, "
        "accepted, User-Agent (to see what shared a second when something was refused)",
    )
    return parser


def config_from_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> EmulatorConfig:
    args = parser.parse_args(argv)
    ids = args.access_id or [DEFAULT_ACCESS_ID]
    keys = args.access_key or [DEFAULT_ACCESS_KEY]
    if len(ids) != len(keys):
        parser.error("give one --access-key for each --access-id")
    try:
        return EmulatorConfig(
            host=args.host,
            port=args.port,
            accounts=dict(zip(ids, keys, strict=True)),
            token_lifetime=args.token_lifetime,
            seed=args.seed,
            campaigns=args.campaigns,
            rate_limit=args.rate_limit,
            report_rate_limit=args.report_rate_limit,
            omit_columns=tuple(name.strip() for name in args.omit_columns.split(",") if name.strip()),
            late_conversion_days=args.late_conversions,
            port_file=args.port_file,
            verbose=args.verbose,
            request_log=args.request_log,
        )
    except ValueError as error:
        parser.error(str(error))


# What serving needs: this distribution's dependencies (starlette and h11 come with fastapi and uvicorn). A
# copy of the package without them (e.g. on a path, not installed) names them instead of a traceback.
WEB_STACK = ("fastapi", "uvicorn", "starlette", "h11")
INSTALL_HINT = "pip install peerclick-emulator (or 'airflow-provider-peerclick[emulator]')"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    config = config_from_args(parser, argv)
    # Imported late so that `--help` and argument errors answer without loading the web stack, and so
    # that a missing one can be named instead of ending in a traceback.
    try:
        from peerclick_emulator.server import serve
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] not in WEB_STACK:
            raise
        print(
            f"peerclick-emulator: {error.name} is not installed; the emulator needs fastapi and uvicorn, "
            f"which installing it brings: {INSTALL_HINT}",
            file=sys.stderr,
        )
        return 1

    try:
        serve(config)
    except OSError as error:
        print(f"peerclick-emulator: cannot listen on {config.host}:{config.port}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
