"""The keyword arguments every Airflow task takes (``BaseOperator``'s) and every sensor
(``BaseSensorOperator``'s), typed, for ``**kwargs: Unpack[...]`` in the PeerClick tasks' signatures.

With them an IDE completes ``retries=`` or ``pool=`` on a PeerClick task, and mypy catches
``deferable=True`` or ``retries="3"`` in a DAG file, which a bare ``**kwargs: Any`` lets through. The
names are those of Airflow's newest release; ``tests/test_task_arguments.py`` compares them with the
installed Airflow's.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Required, TypedDict

if TYPE_CHECKING:
    from airflow.sdk import DAG, TaskGroup

# Callbacks, pre/post-execute hooks, weight rules and retry policies: Airflow's own types for them are
# internal (and differ between 3.0 and 3.3), so any value passes here and Airflow checks it.
_AirflowValue = Any


class TaskArguments(TypedDict, total=False):
    """``BaseOperator``'s keyword arguments."""

    task_id: Required[str]
    owner: str
    email: str | Sequence[str] | None
    email_on_retry: bool
    email_on_failure: bool
    retries: int | None
    retry_delay: timedelta | float
    retry_exponential_backoff: float
    max_retry_delay: timedelta | float | None
    retry_policy: _AirflowValue
    start_date: datetime | None
    end_date: datetime | None
    depends_on_past: bool
    ignore_first_depends_on_past: bool
    wait_for_past_depends_before_skipping: bool
    wait_for_downstream: bool
    dag: DAG | None
    params: MutableMapping[str, Any] | None
    default_args: dict[str, Any] | None
    priority_weight: int
    weight_rule: _AirflowValue
    queue: str
    pool: str | None
    pool_slots: int
    sla: timedelta | None
    execution_timeout: timedelta | None
    on_execute_callback: _AirflowValue
    on_failure_callback: _AirflowValue
    on_success_callback: _AirflowValue
    on_retry_callback: _AirflowValue
    on_skipped_callback: _AirflowValue
    pre_execute: _AirflowValue
    post_execute: _AirflowValue
    trigger_rule: str
    resources: dict[str, Any] | None
    run_as_user: str | None
    map_index_template: str | None
    max_active_tis_per_dag: int | None
    max_active_tis_per_dagrun: int | None
    executor: str | None
    executor_config: dict[str, Any] | None
    do_xcom_push: bool
    multiple_outputs: bool
    inlets: Any
    outlets: Any
    task_group: TaskGroup | None
    doc: str | None
    doc_md: str | None
    doc_json: str | None
    doc_yaml: str | None
    doc_rst: str | None
    task_display_name: str | None
    logger_name: str | None
    allow_nested_operators: bool
    render_template_as_native_obj: bool | None


class PeerClickTaskArguments(TaskArguments, total=False):
    """What every PeerClick operator takes on top: its connection."""

    peerclick_conn_id: str


class SensorArguments(TaskArguments, total=False):
    """``BaseSensorOperator``'s keyword arguments, on top of ``BaseOperator``'s."""

    poke_interval: timedelta | float
    timeout: timedelta | float | None
    soft_fail: bool
    mode: str
    exponential_backoff: bool
    max_wait: timedelta | float | None
    silent_fail: bool
    never_fail: bool


class PeerClickSensorArguments(SensorArguments, total=False):
    """What every PeerClick sensor takes on top: its connection, and whether it waits in the triggerer."""

    peerclick_conn_id: str
    deferrable: bool
