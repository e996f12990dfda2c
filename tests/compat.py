"""What the tests themselves reach in Airflow that moved between the supported releases (3.0 to 3.3).

The provider's own differences are in ``airflow_provider_peerclick.version_compat``; these are only the
test-side ones, each with the releases that need it.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

# (major, minor) of the Airflow under test, read without importing it.
AIRFLOW_LINE = tuple(int(part) for part in version("apache-airflow").split(".")[:2])

# 3.0's `airflow dags test` (and dag.test()) never writes the DAG's assets to the database: only the DAG
# processor (or `airflow dags reserialize`) does, and a task with outlets fails on an unregistered
# ("inactive") asset. 3.1+ register them when the test run starts.
DAGS_TEST_REGISTERS_ASSETS = AIRFLOW_LINE >= (3, 1)

# 3.0 and 3.1 build connections from the core secrets backends (the environment variables the tests use)
# as the core Connection model, which refuses an extra that is not a JSON object; the lookup swallows
# that and tells the hook the connection "isn't defined". 3.2+ build the Task SDK's Connection, which
# leaves judging the extra to the hook.
HOOKS_SEE_ANY_EXTRA = AIRFLOW_LINE >= (3, 2)

# 3.0: no airflow.sdk.module_loading; 3.2+: no airflow.utils.module_loading.
try:
    from airflow.sdk.module_loading import import_string
except ImportError:
    from airflow.utils.module_loading import import_string  # type: ignore[no-redef]

# For subprocess scripts: where DagBag is (airflow.models.dagbag before 3.2).
DAGBAG_IMPORT = """
try:
    from airflow.dag_processing.dagbag import DagBag
except ImportError:  # Airflow 3.0, 3.1
    from airflow.models.dagbag import DagBag
"""


def serialization_round_trip(dag: Any) -> Any:
    """The DAG as the scheduler sees it, serialized and back (3.0, 3.1 call the class SerializedDAG)."""
    from airflow.serialization import serialized_objects

    serializer = getattr(serialized_objects, "DagSerialization", None) or serialized_objects.SerializedDAG
    return serializer.from_dict(serializer.to_dict(dag))


__all__ = [
    "AIRFLOW_LINE",
    "DAGBAG_IMPORT",
    "DAGS_TEST_REGISTERS_ASSETS",
    "HOOKS_SEE_ANY_EXTRA",
    "import_string",
    "serialization_round_trip",
]
