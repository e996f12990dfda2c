"""Run one DAG file's ``dag`` with ``dag.test()`` in this process and write what happened as JSON.

Used as a subprocess by the tests, so that AIRFLOW_HOME and the connection are set before Airflow is
imported, whatever the test process imported first.

    python dag_runner.py DAG_FILE LOGICAL_DATE OUTPUT_JSON
"""

from __future__ import annotations

import json
import os
import runpy
import sys

import pendulum


def main() -> None:
    dag_file, logical_date, output = sys.argv[1:4]
    # The DAG's `collect` task writes its XCom inputs here.
    os.environ["PEERCLICK_TEST_XCOM_FILE"] = output + ".xcom"
    sys.path.insert(0, os.path.dirname(os.path.abspath(dag_file)))
    dag = runpy.run_path(dag_file)["dag"]
    run = dag.test(logical_date=pendulum.parse(logical_date))
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    tries = {ti.task_id: ti.try_number for ti in run.get_task_instances()}
    xcom = {}
    if os.path.exists(output + ".xcom"):
        with open(output + ".xcom", encoding="utf-8") as file:
            xcom = json.load(file)
    links = links_of(run, dag)
    with open(output, "w", encoding="utf-8") as file:
        result = {"state": str(run.state), "tasks": states, "tries": tries, "xcom": xcom, "links": links}
        json.dump(result, file)


def links_of(run, dag) -> dict[str, dict[str, str | None]]:
    """Each task's extra links as Airflow's API server answers them: read through the serialized DAG,
    from the XComs its tasks' runs left. Keyed ``task_id`` (``task_id[i]`` for mapped ones); tasks
    without links left out."""
    from airflow.models.serialized_dag import SerializedDagModel
    from airflow.serialization.serialized_objects import SerializedDAG

    # Airflow 3.0's dag.test() stores no serialized DAG: made here as its DAG processor would.
    serialized = SerializedDagModel.get_dag(run.dag_id) or SerializedDAG.from_dict(SerializedDAG.to_dict(dag))
    found = {}
    for ti in run.get_task_instances():
        task = serialized.get_task(ti.task_id)
        # As the endpoint answers: no URL is None.
        links = {name: task.get_extra_links(ti, name) or None for name in task.extra_links}
        if links:
            found[ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"] = links
    return found


if __name__ == "__main__":
    main()
