"""
`make demo`: the nightly job end to end on real Airflow, against a local PeerClick emulator.

Starts the emulator on a free port, with late conversions (a day's conversions and revenue keep growing
for 3 days), prepares a project-local AIRFLOW_HOME (DB, pools, a connection from an env var), runs
`airflow dags test peerclick_daily_report` for the three days before today, each with the emulator's
clock set to the morning after that day, so each run's lookback finds the earlier days grown and restates
them, and `airflow dags test peerclick_report_to_postgres` for the same day into a SQLite table; then
snapshots campaigns and offers, and prints what landed, whether it reconciles, a reader's query of the
table, each restated day's old and new totals, and the emulator's stats. Exits non-zero
if PeerClick refused anything. Safe to run again: every day's partition is replaced, never duplicated.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pendulum

from airflow_provider_peerclick.hooks.peerclick import ReportPage
from airflow_provider_peerclick.storage import PeerClickReconciliationError
from airflow_provider_peerclick.storage.reconcile import Reconciler
from peerclick_emulator.process import EmulatorProcess
from scripts.demo_requests import RequestLog

ROOT = Path(__file__).resolve().parents[1]
AIRFLOW_HOME = ROOT / "airflow_home"
LANDING = ROOT / "data" / "peerclick"
WAREHOUSE = ROOT / "data" / "peerclick-warehouse.sqlite"
BIN = Path(sys.executable).parent
LOG = AIRFLOW_HOME / "demo.log"
REQUEST_LOG = AIRFLOW_HOME / "emulator-requests.jsonl"
DAYS = 3
LATE_CONVERSION_DAYS = 3


def step(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def run(*command: str, env: dict[str, str]) -> None:
    """Run a command with its output in the demo log; show the log's tail if it fails."""
    with LOG.open("a") as log:
        log.write(f"\n$ {' '.join(command)}\n")
        log.flush()
        done = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)  # noqa: S603
    if done.returncode:
        tail = LOG.read_text().splitlines()[-40:]
        sys.exit(f"{' '.join(command)} failed ({done.returncode}); end of {LOG}:\n" + "\n".join(tail))


def dags_test(dag_id: str, logical_date: pendulum.DateTime, env: dict[str, str]) -> None:
    run(str(BIN / "airflow"), "dags", "test", dag_id, logical_date.isoformat(), env=env)


def airflow_env(emulator: EmulatorProcess) -> dict[str, str]:
    return {
        **os.environ,
        **emulator.connection_env(),
        "AIRFLOW_HOME": str(AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "example_dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "PEERCLICK_LANDING_URL": LANDING.as_uri(),
        "PEERCLICK_ACCOUNT_TZ": "UTC",
        "PEERCLICK_SETTLE_SECONDS": "5",  # the emulator's clock stands still; production waits longer
        "PEERCLICK_LOOKBACK_DAYS": "2",
        # peerclick_report_to_postgres lands in any database Airflow connects to: SQLite here.
        "AIRFLOW_CONN_PEERCLICK_WAREHOUSE": json.dumps({"conn_type": "sqlite", "host": str(WAREHOUSE)}),
    }


def reconcile(manifest_path: Path) -> tuple[int, str]:
    """Read the landed rows back and check them against the API's totals recorded in the manifest."""
    manifest = json.loads(manifest_path.read_text())
    rows = [
        json.loads(line)
        for entry in manifest["files"]
        for line in (manifest_path.parent / entry["name"]).read_text().splitlines()
    ]
    reconciler = Reconciler(manifest["query"]["columns"])
    reconciler.add_page(ReportPage(0, manifest["row_count"], manifest["totals"], rows))
    try:
        reconciler.check()
    except PeerClickReconciliationError as mismatch:
        return len(rows), f"MISMATCH: {mismatch}"
    return len(rows), "reconciled with the API's totals"


def restatement(manifest_path: Path) -> str | None:
    """'conversions 10 -> 12, revenue ...' when the partition was last landed because its totals changed."""
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("reason") != "restated" or not manifest.get("history"):
        return None
    old, new = manifest["history"][-1]["totals"], manifest["totals"]
    changes = [f"{name} {old.get(name)} -> {new.get(name)}" for name in ("conversions", "revenue")]
    return f"restated ({len(manifest['history'])} earlier versions): " + ", ".join(changes)


# Per day, what a reader sums, and whether it equals the totals PeerClick reported (the load table).
READER_QUERY = (
    "SELECT c.date, COUNT(*), SUM(c.conversions), ROUND(SUM(c.revenue), 2), "
    "COUNT(*) = l.row_count AND SUM(c.conversions) = json_extract(l.totals, '$.conversions') "
    "AND ROUND(SUM(c.revenue), 2) = ROUND(json_extract(l.totals, '$.revenue'), 2) "
    "FROM peerclick_campaign c JOIN peerclick_loads l USING (account, date) GROUP BY c.date ORDER BY c.date"
)


def report(started: float, since: pendulum.DateTime, stats: dict[str, object], requests: RequestLog) -> int:
    step(f"Landed under {LANDING}")
    restated = []
    for manifest_path in sorted(LANDING.glob("*/*/_manifest.json")):
        rows, verdict = reconcile(manifest_path)
        print(f"  {manifest_path.parent.relative_to(ROOT)!s:<48} {rows:>6} rows  {verdict}")
        change = restatement(manifest_path)
        if change:
            restated.append(f"  {manifest_path.parent.relative_to(ROOT)!s:<48} {change}")
    for manifest_path in sorted(LANDING.glob("snapshots/*/*/_manifest.json")):
        count = json.loads(manifest_path.read_text())["row_count"]
        print(f"  {manifest_path.parent.relative_to(ROOT)!s:<48} {count:>6} entities")
    step(f"A reader's query of the table peerclick_campaign in {WAREHOUSE.relative_to(ROOT)}")
    print(f"  {READER_QUERY}")
    differ = 0
    with sqlite3.connect(WAREHOUSE) as db:
        for date, count, conversions, revenue, loaded in db.execute(READER_QUERY):
            differ += not loaded
            verdict = "equals PeerClick's totals" if loaded else "DIFFERS from PeerClick's totals"
            print(
                f"  {date}  {count:>4} rows  {conversions:>5} conversions  {revenue:>10.2f} revenue"
                f"  {verdict}"
            )
    step("Restated by the lookback (late conversions: old -> new totals)")
    print("\n".join(restated) if restated else "  none")
    step("Emulator stats")
    print(f"  requests: {stats['requests']}  refused: {stats['refused']}", end="")
    print(f"  tokens issued: {stats['tokens_issued']}")
    print("  requests by purpose:")
    print("\n".join(f"    {line}" for line in requests.lines()))
    floor = requests.floor(LANDING, since)
    print(
        f"  requests_per_partition: requests={requests.total()} floor={floor} "
        f"ratio={requests.total() / floor:.2f} (the floor: each partition landed once, page by page, the "
        "entity lists, one token)"
    )
    print(f"  peak requests in any second: {stats['peak_per_second']}")
    print(f"\nDemo finished in {time.monotonic() - started:.0f} s. Log: {LOG.relative_to(ROOT)}")
    return 0 if stats["refused"] == 0 and differ == 0 else 1


def main() -> int:
    started, since = time.monotonic(), pendulum.now("UTC")
    AIRFLOW_HOME.mkdir(exist_ok=True)
    LOG.write_text("")
    # The demo's table is made anew each run, so one an older checkout created never stands in its way.
    WAREHOUSE.unlink(missing_ok=True)
    step("Starting the PeerClick emulator")
    requests = RequestLog(REQUEST_LOG)
    late = ("--late-conversions", str(LATE_CONVERSION_DAYS))
    with EmulatorProcess(*late, "--request-log", str(REQUEST_LOG), seed=42) as emulator:
        print(f"  {emulator.base_url}")
        env = airflow_env(emulator)
        step(f"Preparing Airflow in {AIRFLOW_HOME.relative_to(ROOT)} (DB, pools)")
        run(str(BIN / "airflow"), "db", "migrate", env=env)
        run(str(BIN / "peerclick-pools"), "create", env=env)
        run(str(BIN / "peerclick-pools"), "check", env=env)  # what a deployment pipeline should run too
        today = pendulum.today("UTC")
        for back in range(DAYS, 0, -1):
            day = today.subtract(days=back)
            # The run for a day happens the morning after; late conversions keep arriving after that.
            morning_after = day.add(days=1, hours=6)
            emulator.control("POST", "clock", json={"now": morning_after.isoformat()})
            step(
                f"airflow dags test peerclick_daily_report: the report for {day.to_date_string()} "
                f"(emulator clock {morning_after.to_datetime_string()} UTC)"
            )
            # A run covers the day before its logical date's cron tick: pass the end of the day.
            dags_test("peerclick_daily_report", day.add(days=1), env)
            requests.mark(day.to_date_string())
            step(
                f"airflow dags test peerclick_report_to_postgres: {day.to_date_string()} into a SQLite table"
            )
            dags_test("peerclick_report_to_postgres", day.add(days=1), env)
            requests.mark(day.to_date_string(), to_sql=True)
        emulator.control("POST", "clock", json={"now": None})
        step("airflow dags test peerclick_entities_snapshot")
        dags_test("peerclick_entities_snapshot", today, env)
        requests.mark(None)
        return report(started, since, emulator.stats(), requests)


if __name__ == "__main__":
    sys.exit(main())
