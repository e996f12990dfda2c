"""The accounts' pools: created with `peerclick-pools` as a deployment pipeline would, then checked."""

from __future__ import annotations

from collections.abc import Sequence

from scripts.scale import scenario
from scripts.scale.deployment import PEERCLICK_POOLS


def pool_commands(conn_ids: Sequence[str], shared: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """The CLI calls that create the pools: one for the per-process accounts, one for those with a shared
    budget (the store, or the host's)."""
    commands = {}
    plain = [conn_id for conn_id in conn_ids if conn_id not in shared]
    if plain:
        commands["pools"] = [PEERCLICK_POOLS, "create", *(f"--conn-id={conn_id}" for conn_id in plain)]
    for conn_id in (conn_id for conn_id in conn_ids if conn_id in shared):
        wide = f"--shared-store={scenario.pool_slots(conn_id, shared)[0]}"
        commands[f"pools-shared-{conn_id}"] = [PEERCLICK_POOLS, "create", wide, f"--conn-id={conn_id}"]
    return commands


def expected_pools(conn_ids: Sequence[str], shared: tuple[str, ...] = ()) -> dict[str, tuple[int, bool]]:
    """Pool name -> (slots, include_deferred), two per account. With a shared budget the triggerer spends
    it too, so a deferred sensor needs no slot."""
    pools = {}
    for conn_id in conn_ids:
        reports, api = scenario.pool_slots(conn_id, shared)
        include_deferred = conn_id not in shared
        pools[scenario.report_pool(conn_id)] = (reports, include_deferred)
        pools[scenario.api_pool(conn_id)] = (api, include_deferred)
    return pools
