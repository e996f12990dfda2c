"""What the harness and the scenario DAG agree on: names, accounts, pools and the environment between them."""

from __future__ import annotations

from airflow_provider_peerclick.pools import DEFAULT_CONN_ID, pool_name

DAG_ID = "peerclick_scale"
# Connection IDs, one per PeerClick account.
ACCOUNTS = ("peerclick_a", "peerclick_b")
SHARED_ACCOUNT = ACCOUNTS[0]  # the one a second deployment shares (--second-deployment)
GROUP_BYS = ("campaign", "offer", "country")

# Set by the harness for every Airflow component.
# How the DAG reaches the accounts: a task group per account (each in its own pools), or every task mapped
# over `peerclick_conn_id` (all in the default connection's pools, which then only bound concurrency).
LAYOUT_ENV = "PEERCLICK_SCALE_LAYOUT"
PER_ACCOUNT, MAPPED_ACCOUNTS = "per-account", "mapped-accounts"
LANDING_ENV = "PEERCLICK_SCALE_LANDING"  # absolute folder; each account lands under {LANDING}/{conn_id}
FIRST_UNSCHEDULED_DAY_ENV = "PEERCLICK_SCALE_START_DATE"  # YYYY-MM-DD, the DAG's start_date

# The provider puts every task, mapped or not, in its connection's pools (`peerclick-pools create
# --conn-id ...`): the DAG names none, as a user's would not.
EXPLICIT_POOLS = False
REPORT_POOL_SLOTS = 1  # 1 slot x 1 report request/s = PeerClick's report limit
API_POOL_SLOTS = 2  # + 2 slots x 1 request/s = PeerClick's 3 requests/s per account
# With the rate-limit store keeping the rate, pools only bound concurrency: wider ones let one task's
# Airflow start-up overlap another's requests.
SHARED_POOL_SLOTS = 4


def report_pool(conn_id: str) -> str:
    return pool_name(conn_id, "reports")


def api_pool(conn_id: str) -> str:
    return pool_name(conn_id, "api")


def pool_slots(conn_id: str, shared: tuple[str, ...]) -> tuple[int, int]:
    """(reports, api) slots of ``conn_id``'s pools: wide when a shared budget keeps its rate, and as wide
    again for every account when they are the default connection's, where tasks mapped over the accounts
    land."""
    if conn_id not in shared:
        return REPORT_POOL_SLOTS, API_POOL_SLOTS
    slots = SHARED_POOL_SLOTS * (len(ACCOUNTS) if conn_id == DEFAULT_CONN_ID else 1)
    return slots, slots


def task_slots(layout: str, shared: tuple[str, ...]) -> int:
    """Every slot of the pools the DAG's tasks run in: how many of its tasks may run at once."""
    return sum(sum(pool_slots(owner, shared)) for owner in pool_owners(layout))


def pool_owners(layout: str) -> tuple[str, ...]:
    """The connections whose pools the DAG's tasks land in: a mapped connection falls back to the
    default one's pools."""
    return (DEFAULT_CONN_ID,) if layout == MAPPED_ACCOUNTS else ACCOUNTS


# `make chaos`'s crowded triggerer (dags/peerclick_crowd.py): deferred sensors of account A, and a standard
# deferrable sensor beside them.
CROWD_DAG_ID = "peerclick_crowd"
CROWD_CLOCK_DAG_ID = "peerclick_crowd_clock"
CROWD = 150
# Long enough that the crowd's polls from the triggerer seldom compete with its first pokes from the
# workers, short enough that every trigger polls (and waits for its place) while the standard one waits.
CROWD_POLL_SECONDS = 60.0


# The error paths, for the secret scan: a DAG whose tasks fail after a retry.
FAILURES_DAG_ID = "peerclick_scale_failures"
MISSING_CAMPAIGN_ID = 999_999_999  # the emulator answers 404
# Account A's key ID with a wrong key, sharing A's rate-limit store: it must get a 401, never A's token.
WRONG_KEY_CONN_ID = "peerclick_wrong_key"
FAILURES_ENV = "PEERCLICK_SCALE_FAILURES"  # file: one JSON line per failed try, from on_failure_callback


def shared_pool_owners(layout: str, stored: tuple[str, ...], *, local: bool) -> tuple[str, ...]:
    """The pool owners whose pools only bound concurrency: every one on one host (the host-local budget
    keeps every account's rate), else the accounts whose rate the store keeps."""
    return pool_owners(layout) if local else stored
