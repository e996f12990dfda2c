"""What the run proved: per-account counts from the emulator, the landed partitions, and the verdict."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
class AccountResult:
    conn_id: str
    report_requests: int
    requests: int
    refused: int
    peak_all: int
    peak_reports: int
    tokens: int
    partitions: Partitions


def account_result(conn_id: str, stats: Mapping[str, Any], partitions: Partitions) -> AccountResult:
    """`stats` is the emulator's `accounts[access_id]` entry (absent when the account sent nothing)."""
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
    header = (
        "account",
        "report_req",
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
            r.report_requests,
            r.requests,
            r.refused,
            r.peak_all,
            r.peak_reports,
            r.tokens,
            f"{r.partitions.landed}/{r.partitions.expected} landed, {r.partitions.reconciled} reconciled",
        )
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        cells = [
            str(cell).ljust(w) if i in (0, 7) else str(cell).rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  " + "  ".join(cells).rstrip())


def scale_line(results: Sequence[AccountResult], wall_s: float) -> str:
    """The closing line. min_s: each account's report requests at its 1/s, the accounts side by side."""
    min_s = max(r.report_requests for r in results)
    ratio = f"{wall_s / min_s:.2f}" if min_s else "inf"
    return (
        f"scale: accounts={len(results)} report_requests={sum(r.report_requests for r in results)} "
        f"wall_s={wall_s:.0f} min_s={min_s} ratio={ratio} refused={sum(r.refused for r in results)} "
        f"peak_all={max(r.peak_all for r in results)} peak_reports={max(r.peak_reports for r in results)} "
        f"tokens={sum(r.tokens for r in results)}"
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
