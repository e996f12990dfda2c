"""The `make scale` secret scan finds a secret wherever the deployment could have written it, and the
failures DAG's check catches exceptions that lost their fields."""

from __future__ import annotations

import base64
import json

import pytest

pytest.importorskip("psycopg2")  # the `scale` extra, as the harness needs
redis = pytest.importorskip("redis")

from scripts.scale import failures  # noqa: E402 - after the skips, as in test_scale_results
from scripts.scale.secret_scan import (  # noqa: E402
    Scan,
    scan_files,
    scan_redis_server,
    scan_rows,
    secrets_to_find,
)

KEY = "k3y-Zq8vX1"
TOKEN = "t0ken-Wm4nR7"


def new_scan() -> Scan:
    return Scan(secrets_to_find({"peerclick_a": KEY}, [TOKEN]))


def test_files_are_searched_and_findings_name_the_secret_not_its_value(tmp_path):
    (tmp_path / "logs" / "dag_id=x").mkdir(parents=True)
    (tmp_path / "logs" / "dag_id=x" / "attempt=1.log").write_text(f"Traceback ... api-token: {TOKEN}\n")
    (tmp_path / "postgres").mkdir()
    (tmp_path / "postgres" / "base").write_text(KEY)  # server data: searched through the server instead
    (tmp_path / "landing.jsonl").write_text('{"campaignId": 1}\n')
    scan = new_scan()
    scan_files(scan, tmp_path, skip=[tmp_path / "postgres"])
    assert [(f.secret, f.where) for f in scan.findings] == [
        ("session token #1", "logs/dag_id=x/attempt=1.log")
    ]
    assert scan.searched == {"files": 2}
    assert TOKEN not in scan.summary()
    assert scan.summary().startswith("1 occurrences of 2 secrets")


def test_rows_are_searched_as_text_and_as_hex(tmp_path):
    scan = new_scan()
    scan_rows(
        scan, {"xcom": ['{"value": "clean"}'], "trigger": [f'{{"kwargs": "\\\\x{KEY.encode().hex()}"}}']}
    )
    assert [(f.secret, f.where) for f in scan.findings] == [
        ("access key of peerclick_a", "table trigger, row 0")
    ]


def test_every_redis_database_and_celery_message_body_is_searched(rate_store):
    client = redis.Redis.from_url(rate_store)
    body = base64.b64encode(json.dumps({"token": TOKEN}).encode()).decode()
    client.lpush("celery", json.dumps({"body": body, "headers": {}}))
    # The same server's database 3, by URL: redis 8's connection_kwargs carry more than Redis() takes.
    other = redis.Redis.from_url(rate_store.rsplit("/", 1)[0] + "/3")
    other.hset("peerclick:tokens", "a", f"plain {KEY}")
    other.set("clean", "nothing here")
    scan = new_scan()
    scan_redis_server(scan, rate_store)
    found = sorted((f.secret, f.where) for f in scan.findings)
    assert found == [
        ("access key of peerclick_a", "redis key b'peerclick:tokens'"),
        ("session token #1", "redis key b'celery' (decoded message body)"),
    ]
    other.flushdb()


def record(task_id, try_number, **changes):
    return json.dumps({"task_id": task_id, "try_number": try_number, **failures.EXPECTED[task_id], **changes})


def test_failures_check_wants_two_failed_tries_with_their_exception_fields(tmp_path):
    records = tmp_path / "failures.jsonl"
    tries = dict.fromkeys(failures.EXPECTED, ("failed", 2))
    records.write_text("\n".join(record(task, n) for task in failures.EXPECTED for n in (1, 2)) + "\n")
    assert failures.check(records, tries) == []

    records.write_text(
        "\n".join([record("missing_campaign", 1, status=None), record("missing_campaign", 2)]) + "\n"
    )
    problems = failures.check(records, {**tries, "wrong_key": ("success", 1)})
    assert any("missing_campaign try 1: exception had {'status': None}" in p for p in problems), problems
    assert any("wrong_key: success after 1 tries" in p for p in problems), problems
    assert any("wrong_key: on_failure/on_retry_callback saw 0 exceptions" in p for p in problems), problems
