"""The Airflow pools that keep PeerClick tasks under the account's rate limits, and ``peerclick-pools``.

Every task throttles itself to one request per second per pool slot it holds, so the pools' sizes are the
rate budget: ``peerclick_reports`` (1 slot, PeerClick's 1 report request/s) plus ``peerclick_api``
(2 slots) make PeerClick's 3 requests/s per account. ``include_deferred`` keeps a deferred sensor's slot
taken while its trigger polls, so triggers are inside that arithmetic too.

Each account (connection) has its own pools, since PeerClick's limits are per account: the default
connection keeps ``peerclick_reports``/``peerclick_api``, connection ``C`` gets ``peerclick_reports__C``
and ``peerclick_api__C``. Two accounts never queue behind each other.

Airflow never schedules a task whose pool does not exist and says so only in the scheduler's log, so
``peerclick-pools check`` exists to make a missing or mis-sized pool a loud failure (e.g. in a deployment
pipeline or a readiness probe).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, NamedTuple

REPORTS_POOL = "peerclick_reports"
API_POOL = "peerclick_api"
POOLS_FILE = Path(__file__).with_name("pools.json")
DEFAULT_CONN_ID = "peerclick_default"

PoolKind = Literal["reports", "api"]
_TEMPLATES: dict[PoolKind, str] = {"reports": REPORTS_POOL, "api": API_POOL}


def pool_name(conn_id: str, kind: PoolKind) -> str:
    """The pool of ``kind`` for the account behind ``conn_id``."""
    base = _TEMPLATES[kind]
    return base if conn_id == DEFAULT_CONN_ID else f"{base}__{conn_id}"


def is_peerclick_pool(name: str) -> bool:
    """Whether ``name`` is a PeerClick pool of any connection."""
    return any(name == base or name.startswith(base + "__") for base in _TEMPLATES.values())


def pool_names(conn_id: str) -> tuple[str, str]:
    """Both PeerClick pools of one connection: (reports, api)."""
    return pool_name(conn_id, "reports"), pool_name(conn_id, "api")


class PoolSpec(NamedTuple):  # not a dataclass: DAG files import this module, and a NamedTuple is cheaper
    """One Airflow pool: its name, slots, description, and whether deferred tasks keep their slot."""

    name: str
    slots: int
    description: str
    include_deferred: bool = True


def pool_specs(
    conn_ids: Sequence[str] = (DEFAULT_CONN_ID,), *, shared_slots: int | None = None
) -> list[PoolSpec]:
    """The pools of ``pools.json`` (the format ``airflow pools import`` reads), for each connection.

    ``shared_slots``: the connections keep their budget where every process shares it (a
    ``rate_limit_store``, or the host-local budget), so the pools only bound how many tasks run at once
    and each gets this many slots. Wider pools let the Airflow start-up of one task overlap another's
    requests, which a one-slot report pool turns into idle budget. Deferred sensors then hold no slot:
    their triggers spend the same shared budget.
    """
    document = json.loads(POOLS_FILE.read_text(encoding="utf-8"))
    templates = [PoolSpec(name=name, **fields) for name, fields in document.items()]
    if shared_slots is not None:
        concurrency = "Concurrency only: a shared budget (the host's or a rate_limit_store) keeps the rate."
        templates = [
            spec._replace(slots=shared_slots, description=concurrency, include_deferred=False)
            for spec in templates
        ]
    kinds = {name: kind for kind, name in _TEMPLATES.items()}
    return [
        spec._replace(
            name=pool_name(conn_id, kinds[spec.name]), description=f"{spec.description} Connection {conn_id}."
        )
        for conn_id in dict.fromkeys(conn_ids)
        for spec in templates
    ]


def specs_document(specs: Sequence[PoolSpec]) -> str:
    """The pools as ``airflow pools import`` reads them."""
    document = {
        spec.name: {
            "slots": spec.slots,
            "description": spec.description,
            "include_deferred": spec.include_deferred,
        }
        for spec in specs
    }
    return json.dumps(document, indent=4) + "\n"


def pool_problems(specs: Sequence[PoolSpec], existing: dict[str, tuple[int, bool]]) -> list[str]:
    """What is wrong with the pools Airflow has (``name -> (slots, include_deferred)``), one line each."""
    problems = []
    for spec in specs:
        if spec.name not in existing:
            problems.append(
                f"pool {spec.name!r} is missing: Airflow will never schedule the tasks that use it "
                "(run `peerclick-pools create`)"
            )
            continue
        slots, include_deferred = existing[spec.name]
        if slots != spec.slots:
            size = (
                "undersized" if slots < spec.slots else "oversized, so PeerClick's rate limit can be exceeded"
            )
            problems.append(f"pool {spec.name!r} has {_slots(slots)}, expected {spec.slots} ({size})")
        if include_deferred != spec.include_deferred:
            why = (
                "deferred sensors would poll from the triggerer outside the pool's budget"
                if spec.include_deferred
                else "deferred sensors would hold slots that their shared budget does not need"
            )
            problems.append(f"pool {spec.name!r} has include_deferred={include_deferred}: {why}")
    return problems


def _existing_pools() -> dict[str, tuple[int, bool]]:
    # Imported here: this needs the metadata database, which only the CLI side of Airflow can reach.
    from airflow.models.pool import Pool

    return {str(pool.pool): (pool.slots, bool(pool.include_deferred)) for pool in Pool.get_pools()}


def create_pools(specs: Sequence[PoolSpec]) -> list[str]:
    """Create or resize the pools; returns what was done, one line per pool. Idempotent."""
    from airflow.models.pool import Pool

    existing = _existing_pools()
    done = []
    for spec in specs:
        before = existing.get(spec.name)
        wanted = (spec.slots, spec.include_deferred)
        if before == wanted:
            done.append(
                f"unchanged {spec.name}: {_slots(spec.slots)}, include_deferred={spec.include_deferred}"
            )
            continue
        Pool.create_or_update_pool(
            name=spec.name,
            slots=spec.slots,
            description=spec.description,
            include_deferred=spec.include_deferred,
        )
        if before is None:
            done.append(
                f"created {spec.name}: {_slots(spec.slots)}, include_deferred={spec.include_deferred}"
            )
        else:
            done.append(
                f"updated {spec.name}: slots {before[0]} -> {spec.slots}, "
                f"include_deferred {before[1]} -> {spec.include_deferred}"
            )
    return done


def _slots(count: int) -> str:
    return f"{count} slot" if count == 1 else f"{count} slots"


def main(argv: Sequence[str] | None = None) -> int:
    # Here, not at the top: every DAG file's tasks import this module for their pool names.
    """``peerclick-pools``: create, check or show the pools of the connections named."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="peerclick-pools",
        description="Create or check the Airflow pools that keep PeerClick tasks under its rate limits. "
        "Run where the `airflow` CLI works (it needs the metadata database).",
    )
    parser.add_argument(
        "--conn-id",
        action="append",
        dest="conn_ids",
        metavar="CONN_ID",
        help="a PeerClick connection to size pools for (repeat for more accounts; "
        f"default {DEFAULT_CONN_ID})",
    )
    parser.add_argument(
        "--shared-store",
        type=int,
        metavar="SLOTS",
        dest="shared_slots",
        help="the connections' budget is shared (the host-local default on one host, or a "
        "rate_limit_store), which alone keeps the rate: give every pool SLOTS slots (how many tasks of "
        "the account may run at once) and let deferred sensors give theirs back",
    )
    parser.add_argument(
        "command",
        choices=("create", "check", "show"),
        help="create: create or resize the pools (idempotent); check: exit 1 if a pool is missing "
        "or mis-sized; show: print the pools as `airflow pools import` reads them",
    )
    args = parser.parse_args(argv)
    if args.shared_slots is not None and args.shared_slots < 1:
        parser.error(f"--shared-store: got {args.shared_slots}; allowed: a positive number of slots")
    specs = pool_specs(args.conn_ids or (DEFAULT_CONN_ID,), shared_slots=args.shared_slots)
    if args.command == "show":
        print(specs_document(specs), end="")
        return 0
    if args.command == "create":
        for line in create_pools(specs):
            print(line)
        return 0
    problems = pool_problems(specs, _existing_pools())
    for problem in problems:
        print(f"peerclick-pools: {problem}", file=sys.stderr)
    if problems:
        return 1
    print("PeerClick pools OK: " + ", ".join(f"{spec.name} ({_slots(spec.slots)})" for spec in specs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
