"""
`make chaos`'s crowded triggerer: many deferred PeerClick sensors, and beside them one standard deferrable
sensor of Airflow's own, which must still fire on time.

- ``peerclick_crowd``: ``CROWD`` campaign sensors of account A, each waiting for a campaign that nobody
  creates, so each stays deferred and its trigger polls PeerClick every ``CROWD_POLL_SECONDS``, spending
  A's budget (its Redis store) from the triggerer.
- ``peerclick_crowd_clock``: a ``DateTimeSensorAsync`` (Airflow's deferrable ``DateTimeSensor``) waiting
  for the time its run's conf names (``{"at": ISO-8601}``); the harness triggers it once the crowd is
  deferred.

Neither is scheduled: the harness triggers both, and stops the deployment with the crowd still deferred.
"""

from __future__ import annotations

from airflow.providers.standard.sensors.date_time import DateTimeSensorAsync
from airflow.sdk import DAG

from airflow_provider_peerclick.sensors.entities import PeerClickCampaignSensor
from scripts.scale.scenario import (
    CROWD,
    CROWD_CLOCK_DAG_ID,
    CROWD_DAG_ID,
    CROWD_POLL_SECONDS,
    MISSING_CAMPAIGN_ID,
    SHARED_ACCOUNT,
)

with DAG(dag_id=CROWD_DAG_ID, schedule=None, tags=["peerclick", "chaos"], doc_md=__doc__):
    PeerClickCampaignSensor.partial(
        task_id="absent",
        peerclick_conn_id=SHARED_ACCOUNT,
        poke_interval=CROWD_POLL_SECONDS,
        deferrable=True,
    ).expand(campaign_id=[MISSING_CAMPAIGN_ID - number for number in range(CROWD)])

with DAG(dag_id=CROWD_CLOCK_DAG_ID, schedule=None, tags=["chaos"], doc_md=__doc__):
    DateTimeSensorAsync(task_id="at", target_time="{{ dag_run.conf['at'] }}")
