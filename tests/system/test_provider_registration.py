"""Airflow finds the provider through its entry point, with the connection type and its form."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_provider_peerclick import __version__, get_provider_info


def test_connection_form_relabels_and_hides_what_peerclick_does_not_use():
    (connection,) = get_provider_info()["connection-types"]
    assert connection["connection-type"] == "peerclick"
    assert connection["hook-class-name"] == "airflow_provider_peerclick.hooks.peerclick.PeerClickHook"
    behaviour = connection["ui-field-behaviour"]
    assert behaviour["relabeling"] == {"login": "Access key ID", "password": "Access key", "host": "Base URL"}
    assert set(behaviour["hidden-fields"]) == {"schema", "port", "extra"}
    assert {"verify", "requests_per_second", "token_lifetime"} <= set(connection["conn-fields"])


@pytest.mark.slow
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
    # Listed only once Airflow has imported each class and found it an operator link.
    links = {row["extra_link_class_name"] for row in table("providers", "links")}
    assert {name for name in links if name.startswith("airflow_provider_peerclick.")} == set(
        get_provider_info()["extra-links"]
    )


FORM_PROBE = """
import json
from airflow.api_fastapi.core_api.services.ui.connections import HookMetaService

(meta,) = [m for m in HookMetaService.hook_meta_data() if m.connection_type == "peerclick"]
print(json.dumps({"standard": meta.standard_fields.model_dump(), "extra": meta.extra_fields}))
"""


def test_every_supported_release_builds_the_same_form_from_the_provider_info(airflow_home):
    # What the API server sends the UI's connection form: on 3.2+ from the provider info, on 3.0 and 3.1
    # from the hook's form methods, which are made from that same info. Run in the venv under test.
    done = subprocess.run(
        [sys.executable, "-c", FORM_PROBE], env=airflow_home.env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    form = json.loads(done.stdout.splitlines()[-1])
    standard = form["standard"]
    assert standard["login"]["title"] == "Access key ID"
    assert standard["password"]["title"] == "Access key"
    assert standard["host"]["title"] == "Base URL"
    assert standard["port"]["hidden"] is True
    (connection,) = get_provider_info()["connection-types"]
    fields = connection["conn-fields"]
    assert set(form["extra"]) == set(fields)
    for name, field in fields.items():
        shown = form["extra"][name]
        assert shown["schema"]["title"] == field["label"], name
        assert shown["description"] == field["description"], name
        assert shown["value"] == field["schema"].get("default"), name
    # A store typed into a form-made connection needs no other edit: no per-process rate is pre-filled.
    assert {"rate_limit_store", "account_requests_per_second", "ca_bundle"} <= set(form["extra"])
    assert form["extra"]["requests_per_second"]["value"] is None


def test_the_provider_info_is_valid_for_the_airflow_under_test():
    from importlib.resources import files

    import jsonschema

    schema = json.loads(files("airflow").joinpath("provider_info.schema.json").read_text())
    jsonschema.validate(get_provider_info(), schema)


@pytest.mark.slow
def test_airflow_reads_the_providers_options_with_their_defaults(airflow_home):
    airflow = str(Path(sys.executable).parent / "airflow")

    def value(key: str, **env: str) -> str:
        done = subprocess.run(
            [airflow, "config", "get-value", "peerclick", key],
            env={**airflow_home.env, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    assert value("budget") == "auto"  # the provider's default, not a fallback in the code
    assert value("budget", AIRFLOW__PEERCLICK__BUDGET="host") == "host"
