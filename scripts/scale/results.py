"""What the run proved: per-account counts from the emulator, the landed partitions, and the verdict."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from airflow_provider_peerclick.hooks.peerclick import ReportPage
from airflow_provider_peerclick.storage import MANIFEST_NAME, PeerClickReconciliationError
from airflow_provider_peerclick.storage.reconcile import Reconciler
from scripts.scale.metadata import TaskSpan

# PeerClick's limits, per account.
LIMIT_ALL = 3
LIMIT_REPORTS = 1


@dataclass(frozen=True)
class Partitions:
    expected: int
    landed: int  # folder with a manifest
    reconciled: int  # files match the manifest's checksums, rows add up to the API's totals
    problems: list[str]


@dataclass(frozen=True)
class Pace:
    """How closely one account's report requests kept to PeerClick's 1/s while the backfill ran."""

    dag_reports: int  # report requests the backfill's tasks sent
    other_reports: int  # those of other clients on the account (a second deployment) meanwhile
    span_s: float  # the backfill's first report request to its last, plus that one's second

    @property
    def ratio(self) -> float:
        """1.0: not a second of the account's report budget idle between its first and last request."""
        spent = self.dag_reports + self.other_reports
        return self.span_s / spent if spent else math.inf


def paces(request_log: Path, accounts: Mapping[str, str], other_agent: str) -> dict[str, Pace]:
    """Each account's (conn ID -> access key ID) pace, from the emulator's request log; requests whose
    User-Agent holds ``other_agent`` are another client's."""
    lines = (
        [json.loads(line) for line in request_log.read_text().splitlines()] if request_log.exists() else []
    )
    found = {}
    for conn_id, access_id in accounts.items():
        reports = [
            line
            for line in lines
            if line["account"] == access_id and line["accepted"] and line["path"].startswith("/report")
        ]
        ours = [line["time"] for line in reports if other_agent not in line.get("agent", "")]
        if not ours:
            found[conn_id] = Pace(0, 0, 0.0)
            continue
        first, last = min(ours), max(ours)
        others = sum(
            1 for line in reports if other_agent in line.get("agent", "") and first <= line["time"] <= last
        )
        found[conn_id] = Pace(len(ours), others, last - first + 1.0)
    return found


@dataclass(frozen=True)
class AccountResult:
    conn_id: str
    report_requests: int
    requests: int
    refused: int
    peak_all: int
    peak_reports: int
    tokens: int
    partitions: Partitions
    budget: str = "per process"
    pace: Pace = field(default_factory=lambda: Pace(0, 0, 0.0))


def account_result(
    conn_id: str,
    stats: Mapping[str, Any],
    partitions: Partitions,
    *,
    budget: str = "per process",
    pace: Pace | None = None,
) -> AccountResult:
    """`stats` is the emulator's `accounts[access_id]` entry (absent when the account sent nothing);
    `budget` names where its places were kept."""
    peaks = stats.get("peak_per_second", {})
    return AccountResult(
        conn_id=conn_id,
        report_requests=stats.get("buckets", {}).get("reports", {}).get("requests", 0),
        requests=stats.get("requests", 0),
        refused=stats.get("refused", 0),
        peak_all=peaks.get("all", 0),
        peak_reports=peaks.get("reports", 0),
        tokens=stats.get("tokens_issued", 0),
        partitions=partitions,
        budget=budget,
        pace=pace or Pace(0, 0, 0.0),
    )


def check_partitions(base: Path, group_bys: Sequence[str], days: Sequence[date]) -> Partitions:
    """Every `{base}/{group_by}/date=DAY/` must hold a manifest whose files and totals check out."""
    landed = reconciled = 0
    problems = []
    for group_by in group_bys:
        for day in days:
            folder = base / group_by / f"date={day.isoformat()}"
            if not (folder / MANIFEST_NAME).is_file():
                problems.append(f"{folder}: no {MANIFEST_NAME}")
                continue
            landed += 1
            problem = _verify(folder)
            if problem:
                problems.append(f"{folder}: {problem}")
            else:
                reconciled += 1
    return Partitions(len(group_bys) * len(days), landed, reconciled, problems)


def _verify(folder: Path) -> str | None:
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    if manifest.get("format") != "jsonl":
        return f"format {manifest.get('format')!r}; this check reads jsonl only"
    rows: list[dict[str, Any]] = []
    for entry in manifest["files"]:
        data = (folder / entry["name"]).read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            return f"{entry['name']} does not match its sha256 in the manifest"
        rows.extend(json.loads(line) for line in data.decode().splitlines())
    reconciler = Reconciler(manifest["columns"])
    reconciler.add_page(ReportPage(0, manifest["row_count"], manifest["totals"], rows))
    try:
        reconciler.check()
    except PeerClickReconciliationError as mismatch:
        return f"does not reconcile: {mismatch}"
    return None


def print_table(results: Sequence[AccountResult]) -> None:
    """One row per account: its budget, its backfill's report requests (and others' on the account in
    that time), the seconds they spanned and the ratio to PeerClick's 1/s, then what the emulator counted."""
    header = (
        "account",
        "budget",
        "dag_reports",
        "other_reports",
        "span_s",
        "ratio",
        "requests",
        "refused",
        "peak_all",
        "peak_reports",
        "tokens",
        "partitions",
    )
    rows = [
        (
            r.conn_id,
            r.budget,
            r.pace.dag_reports,
            r.pace.other_reports,
            f"{r.pace.span_s:.0f}",
            f"{r.pace.ratio:.2f}",
            r.requests,
            r.refused,
            r.peak_all,
            r.peak_reports,
            r.tokens,
            f"{r.partitions.landed}/{r.partitions.expected} landed, {r.partitions.reconciled} reconciled",
        )
        for r in results
    ]
    left = {0, 1, len(header) - 1}
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        cells = [
            str(cell).ljust(w) if i in left else str(cell).rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  " + "  ".join(cells).rstrip())


def scale_line(results: Sequence[AccountResult], wall_s: float) -> str:
    """The closing line. min_s: each account's report requests at its 1/s, the accounts side by side;
    worst_ratio: the slowest account's own ratio (see ``Pace``), which a total can hide."""
    min_s = max(r.report_requests for r in results)
    ratio = f"{wall_s / min_s:.2f}" if min_s else "inf"
    return (
        f"scale: accounts={len(results)} report_requests={sum(r.report_requests for r in results)} "
        f"wall_s={wall_s:.0f} min_s={min_s} ratio={ratio} refused={sum(r.refused for r in results)} "
        f"peak_all={max(r.peak_all for r in results)} peak_reports={max(r.peak_reports for r in results)} "
        f"tokens={sum(r.tokens for r in results)} worst_ratio={max(r.pace.ratio for r in results):.2f} "
        f"tokens_max={max(r.tokens for r in results)}"
    )


def failures(results: Sequence[AccountResult]) -> list[str]:
    found = []
    for r in results:
        if r.refused:
            found.append(f"{r.conn_id}: PeerClick refused {r.refused} requests")
        if r.peak_all > LIMIT_ALL:
            found.append(f"{r.conn_id}: {r.peak_all} requests in one second (limit {LIMIT_ALL})")
        if r.peak_reports > LIMIT_REPORTS:
            found.append(
                f"{r.conn_id}: {r.peak_reports} report requests in one second (limit {LIMIT_REPORTS})"
            )
        found.extend(f"{r.conn_id}: {problem}" for problem in r.partitions.problems)
    return found


def refusals(request_log: Path, conn_ids: Mapping[str, str]) -> list[str]:
    """Each refused request with what its account had sent in the second before: the evidence of why."""
    if not request_log.exists():
        return []
    requests = [json.loads(line) for line in request_log.read_text().splitlines()]
    lines = []
    for refused in (r for r in requests if not r["accepted"]):
        before = [
            r
            for r in requests
            if r["account"] == refused["account"] and r["accepted"] and 0 <= refused["time"] - r["time"] < 1
        ]
        held = ", ".join(f"{r['method']} {r['path']} -{refused['time'] - r['time']:.2f}s" for r in before)
        when = datetime.fromtimestamp(refused["time"], UTC).strftime("%H:%M:%S.%f")[:-3]
        account = conn_ids.get(refused["account"], refused["account"])
        what = f"{refused['method']} {refused['path']}"
        lines.append(f"refused {when} {account} {what}; the second before: {held}")
    return lines


def report_slot_use(spans: Sequence[TaskSpan], pool: str, slots: int, wall_s: float) -> str:
    """Where the report pool's slots went: with one slot, wall_s is at least the sum of these."""
    kinds: dict[str, list[float]] = {}
    for span in spans:
        if span.pool == pool:
            kinds.setdefault(span.task_id.rsplit(".", 1)[-1], []).append(span.seconds)
    busy = sum(sum(times) for times in kinds.values())
    parts = [
        f"{name} {len(times)} x {sum(times) / len(times):.1f} s" for name, times in sorted(kinds.items())
    ]
    idle = max(0.0, wall_s * slots - busy)
    return f"{', '.join(parts)}; busy {busy:.0f} s, idle {idle:.0f} s of {slots} x {wall_s:.0f} s"
