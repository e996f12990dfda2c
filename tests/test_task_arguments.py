"""The typed keyword arguments of the PeerClick tasks name every argument Airflow's own tasks take, so
``**kwargs: Unpack[...]`` refuses nothing Airflow accepts (and, on Airflow's newest line, nothing more)."""

from __future__ import annotations

import inspect

import pytest
from airflow.sdk import BaseOperator, BaseSensorOperator

from airflow_provider_peerclick.utils.task_arguments import (
    PeerClickSensorArguments,
    PeerClickTaskArguments,
    SensorArguments,
    TaskArguments,
)

from .compat import AIRFLOW_LINE


def _keys(typed: type) -> set[str]:
    return set(typed.__required_keys__) | set(typed.__optional_keys__)  # type: ignore[attr-defined]


def _named_parameters(cls: type) -> set[str]:
    """What ``cls`` takes by name, its bases' included (a sensor's ``**kwargs`` go to BaseOperator)."""
    named = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    taken: set[str] = set()
    for klass in cls.__mro__:
        if "__init__" in vars(klass) and issubclass(klass, BaseOperator):
            signature = inspect.signature(inspect.unwrap(vars(klass)["__init__"]))
            taken |= {name for name, parameter in signature.parameters.items() if parameter.kind in named}
    return taken - {"self"}


@pytest.mark.parametrize(
    ("typed", "airflow_class"), [(TaskArguments, BaseOperator), (SensorArguments, BaseSensorOperator)]
)
def test_every_argument_airflow_takes_is_typed(typed, airflow_class):
    taken = _named_parameters(airflow_class)
    assert taken - _keys(typed) == set()
    if AIRFLOW_LINE >= (3, 3):
        assert _keys(typed) == taken


def test_the_peerclick_arguments_add_the_connection_and_deferrable():
    assert _keys(PeerClickTaskArguments) - _keys(TaskArguments) == {"peerclick_conn_id"}
    assert _keys(PeerClickSensorArguments) - _keys(SensorArguments) == {"peerclick_conn_id", "deferrable"}
