"""Airflow's rule for operator constructors, which its own CI enforces (``validate_operators_init``), on
every operator and sensor the provider offers.

Airflow renders template fields after the constructor has run. So a constructor assigns each template
field straight from the argument of the same name (``self.field = field``, or
``super().__init__(field=field)``), at its top level, and does nothing else with it: no check, no
conversion, no branch. Checks of plain values wait for ``check_arguments``, rendered ones for ``execute``.

Airflow's script reads ``template_fields`` only where it is a literal tuple in the class body; this test
takes the fields each class really has, inherited ones included, so it is the stricter of the two.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Iterable
from pathlib import Path

import pytest
from airflow.sdk import BaseOperator

from airflow_provider_peerclick.operators import entities as operators_entities
from airflow_provider_peerclick.operators import iceberg as operators_iceberg
from airflow_provider_peerclick.operators import report as operators_report
from airflow_provider_peerclick.operators import sql as operators_sql
from airflow_provider_peerclick.sensors import entities as sensors_entities
from airflow_provider_peerclick.sensors import report as sensors_report

MODULES = (
    operators_entities,
    operators_iceberg,
    operators_report,
    operators_sql,
    sensors_entities,
    sensors_report,
)
TASKS = sorted(
    (
        cls
        for module in MODULES
        for cls in vars(module).values()
        if isinstance(cls, type) and issubclass(cls, BaseOperator) and cls.__module__ == module.__name__
    ),
    key=lambda cls: cls.__name__,
)


def constructor_of(cls: type) -> ast.FunctionDef | None:
    """The ``__init__`` a class defines itself, parsed (Airflow wraps it; the source is the original's)."""
    init = vars(cls).get("__init__")
    if init is None:
        return None
    (node,) = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(init)))).body
    assert isinstance(node, ast.FunctionDef)
    return node


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def _is_super_init(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "__init__"
        and isinstance(node.func.value, ast.Call)
        and isinstance(node.func.value.func, ast.Name)
        and node.func.value.func.id == "super"
    )


def direct_assignments(init: ast.FunctionDef, fields: Iterable[str]) -> tuple[set[str], set[int]]:
    """The template fields ``init`` assigns as the rule wants, and the argument reads that do it."""
    fields = set(fields)
    assigned: set[str] = set()
    reads: set[int] = set()
    for statement in init.body:  # the top level only: a branch may not run
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
            pairs = [(target, value)]
            if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
                pairs = list(zip(target.elts, value.elts, strict=True))  # self.a, self.b = a, b
            for target, value in pairs:
                if (
                    isinstance(target, ast.Attribute)
                    and _is_self(target.value)
                    and target.attr in fields
                    and isinstance(value, ast.Name)
                    and value.id == target.attr
                ):
                    assigned.add(target.attr)
                    reads.add(id(value))
        elif isinstance(statement, ast.Expr) and _is_super_init(statement.value):
            assert isinstance(statement.value, ast.Call)
            for keyword in statement.value.keywords:
                value = keyword.value
                if keyword.arg in fields and isinstance(value, ast.Name) and value.id == keyword.arg:
                    assigned.add(keyword.arg)
                    reads.add(id(value))
    return assigned, reads


def logic_on_template_fields(init: ast.FunctionDef, fields: Iterable[str]) -> list[str]:
    """Every other use of a template field in ``init``, as ``line N: name``: what the rule forbids."""
    fields = set(fields)
    arguments = {arg.arg for arg in [*init.args.args, *init.args.kwonlyargs]} & fields
    _, allowed = direct_assignments(init, fields)
    found: list[tuple[int, str]] = []
    for node in ast.walk(init):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in arguments:
            if id(node) not in allowed:
                found.append((node.lineno, node.id))
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Load)
            and _is_self(node.value)
            and node.attr in fields
        ):
            found.append((node.lineno, f"self.{node.attr}"))
    return [f"line {line}: {name}" for line, name in sorted(found)]


def test_the_offered_tasks_are_all_checked():
    names = {cls.__name__ for cls in TASKS}
    assert {
        "PeerClickReportOperator",
        "PeerClickReportToStorageOperator",
        "PeerClickReportToSqlOperator",
        "PeerClickReportToIcebergOperator",
        "PeerClickReportSensor",
        "PeerClickCampaignSensor",
        "PeerClickUpdateOfferOperator",
    } <= names
    assert len(TASKS) >= 20


@pytest.mark.parametrize(
    "cls", [cls for cls in TASKS if "__init__" in vars(cls)], ids=lambda cls: cls.__name__
)
def test_constructors_do_nothing_with_template_fields_but_assign_them(cls):
    init = constructor_of(cls)
    assert init is not None
    assert logic_on_template_fields(init, cls.template_fields) == []


@pytest.mark.parametrize("cls", TASKS, ids=lambda cls: cls.__name__)
def test_every_template_field_is_assigned_directly_by_a_constructor(cls):
    assigned: set[str] = set()
    for klass in cls.__mro__:
        init = constructor_of(klass) if klass.__module__.startswith("airflow_provider_peerclick") else None
        if init is not None:
            assigned |= direct_assignments(init, cls.template_fields)[0]
    assert set(cls.template_fields) - assigned == set()


BREAKS_THE_RULE = """
def __init__(self, *, group_by, start=None, end=None, tz=None, **kwargs):
    super().__init__(**kwargs)
    if start is not None:
        self.start = start
    self.group_by = group_by.lower()
    self.end, self.tz = end, tz or "UTC"
    check(self.end)
"""


def test_the_rule_catches_each_way_of_breaking_it():
    (init,) = ast.parse(BREAKS_THE_RULE).body
    assert isinstance(init, ast.FunctionDef)
    fields = ("group_by", "start", "end", "tz")
    assert direct_assignments(init, fields)[0] == {"end"}
    assert logic_on_template_fields(init, fields) == [
        "line 4: start",
        "line 5: start",
        "line 6: group_by",
        "line 7: tz",
        "line 8: self.end",
    ]


def test_the_docs_list_each_task_s_template_fields():
    page = (Path(__file__).parents[1] / "docs" / "arguments.rst").read_text()
    documented: dict[str, set[str]] = {}
    for names, fields in re.findall(r"^(``PeerClick.+)\n((?:    .+\n)+)", page, flags=re.MULTILINE):
        for name in re.findall(r"``(\w+)``", names):
            documented[name] = set(re.findall(r"``(\w+)``", fields))
    leaves = [cls for cls in TASKS if not any(other is not cls and issubclass(other, cls) for other in TASKS)]
    offered = {cls.__name__: set(cls.template_fields) for cls in leaves}
    assert documented == offered
