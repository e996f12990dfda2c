"""What the harness and the scenario DAG agree on: names, accounts, pools and the environment between them."""

from __future__ import annotations

DAG_ID = "peerclick_scale"
# Connection IDs, one per PeerClick account.
ACCOUNTS = ("peerclick_a", "peerclick_b")
SHARED_ACCOUNT = ACCOUNTS[0]  # the one a second deployment shares (--second-deployment)
GROUP_BYS = ("campaign", "offer", "country")

# Set by the harness for every Airflow component.
LANDING_ENV = "PEERCLICK_SCALE_LANDING"  # absolute folder; each account lands under {LANDING}/{conn_id}
FIRST_UNSCHEDULED_DAY_ENV = "PEERCLICK_SCALE_START_DATE"  # YYYY-MM-DD, the DAG's start_date

# Until the provider sizes pools per connection (`peerclick-pools create --conn-id ...`) and puts mapped
# tasks in them by itself, the harness creates these pools and the DAG names them on every task.
EXPLICIT_POOLS = True
REPORT_POOL_SLOTS = 1  # 1 slot x 1 report request/s = PeerClick's report limit
API_POOL_SLOTS = 2  # + 2 slots x 1 request/s = PeerClick's 3 requests/s per account


def report_pool(conn_id: str) -> str:
    return "peerclick_reports" if conn_id == "peerclick_default" else f"peerclick_reports__{conn_id}"


def api_pool(conn_id: str) -> str:
    return "peerclick_api" if conn_id == "peerclick_default" else f"peerclick_api__{conn_id}"
