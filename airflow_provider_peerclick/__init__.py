"""Apache Airflow provider for the PeerClick API."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_HOOK = "airflow_provider_peerclick.hooks.peerclick.PeerClickHook"
# Named, not imported: Airflow reads this without importing the provider's modules.
_LINK_CLASSES = ("PeerClickCampaignLink", "PeerClickOfferLink", "PeerClickReportLink")


def _extra_field(label: str, kind: str, description: str, default: Any = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": [kind, "null"]}
    if default is not None:
        schema["default"] = default
    return {"label": label, "schema": schema, "description": description}


def _modules(*names: str) -> dict[str, Any]:
    return {
        "integration-name": "PeerClick",
        "python-modules": [f"airflow_provider_peerclick.{n}" for n in names],
    }


def get_provider_info() -> dict[str, Any]:
    """Describe the provider to Airflow's ProvidersManager (the `apache_airflow_provider` entry point)."""
    return {
        "package-name": "airflow-provider-peerclick",
        "name": "PeerClick",
        "description": "PeerClick (ad and affiliate click tracker) reports, campaigns and offers.",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": "PeerClick",
                "external-doc-url": "https://help.peerclick.com/",
                "tags": ["service"],
            }
        ],
        "hooks": [_modules("hooks.peerclick")],
        "asset-uris": [
            {
                "schemes": ["peerclick"],
                "handler": "airflow_provider_peerclick.assets.sanitize_uri",
                "factory": "airflow_provider_peerclick.assets.create_asset",
                "to_openlineage_converter": "airflow_provider_peerclick.assets.convert_asset_to_openlineage",
            }
        ],
        # Loaded by Airflow into its configuration: `airflow config list` shows them, and
        # `conf.get("peerclick", ...)` falls back to these defaults.
        "config": {
            "peerclick": {
                "description": "Deployment-wide options of the PeerClick provider.",
                "options": {
                    "budget": {
                        "description": (
                            "Which rate budget a connection without a rate_limit_store spends. auto: the "
                            "host-local one when every configured executor runs tasks on this host "
                            "(LocalExecutor), else one per process. host: the host-local budget whatever "
                            "the executor (only where every worker and the triggerer share one host). "
                            "process: one budget per task process, pools sized to the limits."
                        ),
                        "version_added": "0.1.0",
                        "type": "string",
                        "example": "host",
                        "default": "auto",
                    },
                    "local_budget_dir": {
                        "description": (
                            "Folder of the host-local budget and token cache, shared by every Airflow "
                            "process of the host. Empty: $AIRFLOW_HOME/peerclick. Name one folder for two "
                            "deployments on one host that use the same account."
                        ),
                        "version_added": "0.1.0",
                        "type": "string",
                        "example": "/var/lib/airflow/peerclick",
                        "default": "",
                    },
                },
            }
        },
        "operators": [
            _modules("operators.report", "operators.entities", "operators.sql", "operators.iceberg")
        ],
        "sensors": [_modules("sensors.report", "sensors.entities")],
        "triggers": [_modules("triggers.report", "triggers.entities")],
        "connection-types": [
            {
                "hook-class-name": _HOOK,
                "hook-name": "PeerClick",
                "connection-type": "peerclick",
                "ui-field-behaviour": {
                    "hidden-fields": ["schema", "port", "extra"],
                    "relabeling": {"login": "Access key ID", "password": "Access key", "host": "Base URL"},
                    "placeholders": {
                        "login": "the ID of an access key (Settings > Security > Access keys)",
                        "password": "the access key itself",
                        "host": "https://api.peerclick.com/v1",
                    },
                },
                "conn-fields": {
                    "api_version": _extra_field(
                        "API version", "string", "Path appended when Base URL has no path: v1 or v1_1.", "v1"
                    ),
                    "token_lifetime": _extra_field(
                        "Token lifetime (s)", "integer", "Lifetime asked for new session tokens."
                    ),
                    "connect_timeout": _extra_field(
                        "Connect timeout (s)", "number", "TCP connect timeout.", 10
                    ),
                    "read_timeout": _extra_field("Read timeout (s)", "number", "Wait for an answer.", 120),
                    "verify": _extra_field("Verify TLS", "boolean", "Verify the server certificate.", True),
                    "ca_bundle": _extra_field(
                        "CA bundle path",
                        "string",
                        "A CA bundle file or folder to verify against (verify on). Empty: the system's.",
                    ),
                    "rate_limit_store": _extra_field(
                        "Rate-limit store",
                        "string",
                        "Redis URL (redis://host:6379/0) that every host's tasks share the budget and token "
                        "through; empty: this host's folder, or per process on several hosts.",
                    ),
                    "account_requests_per_second": _extra_field(
                        "Account requests per second",
                        "number",
                        "The account's budget when shared (host or Redis); PeerClick allows 3. Empty: 3.",
                    ),
                    "account_report_requests_per_second": _extra_field(
                        "Account report requests per second",
                        "number",
                        "The account's report budget when shared; PeerClick allows 1. Empty: 1.",
                    ),
                    # No defaults: a form that saved them would conflict with a store added later.
                    "requests_per_second": _extra_field(
                        "Requests per second per process",
                        "number",
                        "Per-process budget only (several hosts, no store), per pool slot. Empty: 1.",
                    ),
                    "report_requests_per_second": _extra_field(
                        "Report requests per second per process",
                        "number",
                        "Per-process budget only; PeerClick allows 1. Empty: 1.",
                    ),
                    "max_attempts": _extra_field(
                        "Attempts per request", "integer", "Including the first.", 6
                    ),
                    "max_retry_seconds": _extra_field(
                        "Retry budget (s)", "number", "Total time one request may spend retrying.", 300
                    ),
                    # PeerClick publishes no routes for its panel: each link is the user's template.
                    "campaign_link": _extra_field(
                        "Campaign link",
                        "string",
                        "URL of a campaign in the PeerClick panel, with {id} for its ID. Empty: no link.",
                    ),
                    "offer_link": _extra_field(
                        "Offer link",
                        "string",
                        "URL of an offer in the PeerClick panel, with {id} for its ID. Empty: no link.",
                    ),
                    "report_link": _extra_field(
                        "Report link",
                        "string",
                        "URL of a report in the PeerClick panel, with any of {group_by}, {start_date}, "
                        "{end_date} (days, inclusive), {start}, {end} (ISO datetimes), {tz}. Empty: no link.",
                    ),
                },
            }
        ],
        "extra-links": [f"airflow_provider_peerclick.links.{link}" for link in _LINK_CLASSES],
    }
