"""The tasks' signatures are explicit and typed: mypy, run on a DAG file as a user writes it
(``typecheck/user_dag.py``), finds every deliberate mistake in it and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

USER_DAG = Path(__file__).parent / "typecheck" / "user_dag.py"


@pytest.mark.slow
def test_mypy_finds_every_mistake_in_a_user_dag_and_nothing_else(tmp_path):
    stdout, stderr, _ = mypy_api.run(
        [
            "--follow-imports=silent",  # the user's file, not the provider's or Airflow's own
            "--ignore-missing-imports",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / "mypy"),
            str(USER_DAG),
        ]
    )
    assert not stderr, stderr
    errors = {int(line) for line in re.findall(r"^[^:\n]+:(\d+): error:", stdout, flags=re.MULTILINE)}
    lines = USER_DAG.read_text().splitlines()
    mistakes = {number for number, line in enumerate(lines, start=1) if line.endswith("# mistake")}
    assert len(mistakes) >= 15
    assert errors == mistakes, stdout
