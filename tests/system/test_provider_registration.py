"""Airflow finds the provider through its entry point, with the connection type and its form."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from airflow_provider_peerclick import __version__, get_provider_info


def test_connection_form_relabels_and_hides_what_peerclick_does_not_use():
    (connection,) = get_provider_info()["connection-types"]
    assert connection["connection-type"] == "peerclick"
    assert connection["hook-class-name"] == "airflow_provider_peerclick.hooks.peerclick.PeerClickHook"
    behaviour = connection["ui-field-behaviour"]
    assert behaviour["relabeling"] == {"login": "Access key ID", "password": "Access key", "host": "Base URL"}
    assert set(behaviour["hidden-fields"]) == {"schema", "port", "extra"}
    assert {"verify", "requests_per_second", "token_lifetime"} <= set(connection["conn-fields"])


def test_airflow_lists_the_provider_and_its_connection_type(airflow_home):
    airflow = str(Path(sys.executable).parent / "airflow")

    def table(*args: str) -> list[dict[str, str]]:
        done = subprocess.run(
            [airflow, *args, "-o", "json"], env=airflow_home.env, capture_output=True, text=True, check=True
        )
        return json.loads(next(line for line in reversed(done.stdout.splitlines()) if line.startswith("[")))

    providers = {row["package_name"]: row["version"] for row in table("providers", "list")}
    assert providers["airflow-provider-peerclick"] == __version__
    hooks = {row["connection_type"]: row for row in table("providers", "hooks")}
    assert hooks["peerclick"]["class"] == "airflow_provider_peerclick.hooks.peerclick.PeerClickHook"
