"""Sphinx configuration of the provider's docs: ``make docs`` builds them into docs/_build/html, every
warning an error. Code on the pages is included from ``example_dags/``, so what the docs show is what the
example DAG tests run."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from airflow_provider_peerclick import __version__  # noqa: E402 - after the path is set

project = "airflow-provider-peerclick"
author = "airflow-provider-peerclick authors"
copyright = "2026, " + author
version = release = __version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.viewcode", "myst_parser"]
# The guides are Markdown (they were the README's sections): headings up to ### get link anchors.
myst_heading_anchors = 3
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# Airflow's own classes are documented on Airflow's site, which a build without internet cannot reach.
autodoc_inherit_docstrings = False

exclude_patterns = ["_build"]
html_theme = "alabaster"
html_title = f"PeerClick provider {version}"
