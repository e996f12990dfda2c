"""The accounts' pools: created with `peerclick-pools` as a deployment pipeline would, then checked."""

from __future__ import annotations

from collections.abc import Sequence

from scripts.scale import scenario
from scripts.scale.deployment import PEERCLICK_POOLS


def pool_commands(conn_ids: Sequence[str], stored: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """The CLI calls that create the pools: one for the per-process accounts, one for the stored ones."""
    commands = {}
    plain = [conn_id for conn_id in conn_ids if conn_id not in stored]
    shared = [conn_id for conn_id in conn_ids if conn_id in stored]
    if plain:
        commands["pools"] = [PEERCLICK_POOLS, "create", *(f"--conn-id={conn_id}" for conn_id in plain)]
    if shared:
        wide = f"--shared-store={scenario.SHARED_POOL_SLOTS}"
        commands["pools-shared"] = [PEERCLICK_POOLS, "create", wide, *(f"--conn-id={c}" for c in shared)]
    return commands


def expected_pools(conn_ids: Sequence[str], stored: tuple[str, ...] = ()) -> dict[str, tuple[int, bool]]:
    """Pool name -> (slots, include_deferred), two per account."""
    pools = {}
    for conn_id in conn_ids:
        reports, api = scenario.pool_slots(conn_id, stored)
        pools[scenario.report_pool(conn_id)] = (reports, True)
        pools[scenario.api_pool(conn_id)] = (api, True)
    return pools
