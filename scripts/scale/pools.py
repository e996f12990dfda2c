"""The accounts' pools: created through the CLI as a deployment pipeline would, then checked."""

from __future__ import annotations

from collections.abc import Sequence

from scripts.scale import scenario
from scripts.scale.deployment import AIRFLOW


def pool_commands(conn_ids: Sequence[str]) -> dict[str, list[str]]:
    """The CLI calls that create the pools (run side by side: each is ~5 s of start-up)."""
    # Once the provider sizes pools per connection, this function is one line:
    # return {"pools": [PEERCLICK_POOLS, "create", *(f"--conn-id={conn_id}" for conn_id in conn_ids)]}
    return {
        f"pool-{name}": [AIRFLOW, "pools", "set", name, str(slots), _description(slots), "--include-deferred"]
        for name, (slots, _) in expected_pools(conn_ids).items()
    }


def expected_pools(conn_ids: Sequence[str]) -> dict[str, tuple[int, bool]]:
    """Pool name -> (slots, include_deferred), two per account."""
    pools = {}
    for conn_id in conn_ids:
        pools[scenario.report_pool(conn_id)] = (scenario.REPORT_POOL_SLOTS, True)
        pools[scenario.api_pool(conn_id)] = (scenario.API_POOL_SLOTS, True)
    return pools


def _description(slots: int) -> str:
    return f"PeerClick: {slots} x 1 request/s (created by make scale)"
