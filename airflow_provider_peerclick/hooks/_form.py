"""The connection form for Airflow 3.0 and 3.1, built from the one description in ``get_provider_info()``.

Airflow 3.2+ reads the form from the provider info (``conn-fields``, ``ui-field-behaviour``). 3.0 and
3.1 read it only from the hook's ``get_connection_form_widgets()`` and ``get_ui_field_behaviour()``,
as WTForms fields (where WTForms is installed, as it is with the FAB provider; their API server then
reads the fields through stand-ins of its own). Both are made here from the same fields, so every
release shows the same form. Only WTForms itself is needed: the React UI of Airflow 3 ignores Flask-
AppBuilder's widgets and translations.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_peerclick import get_provider_info


def connection_type_info() -> dict[str, Any]:
    (connection,) = get_provider_info()["connection-types"]
    return dict(connection)


def ui_field_behaviour() -> dict[str, Any]:
    """The standard fields' behaviour, keyed as the hook method returns it (snake case)."""
    behaviour = connection_type_info()["ui-field-behaviour"]
    return {name.replace("-", "_"): value for name, value in behaviour.items()}


def form_widgets() -> dict[str, Any]:
    """One WTForms field per extra: booleans as check boxes, integers as integer fields, anything else
    (numbers, URLs, paths) as text, which the connection's own checks read."""
    from wtforms import BooleanField, IntegerField, StringField
    from wtforms.validators import Optional

    widgets: dict[str, Any] = {}
    for name, field in connection_type_info()["conn-fields"].items():
        kind = field["schema"]["type"][0]
        options: dict[str, Any] = {"description": field["description"]}
        if "default" in field["schema"]:
            options["default"] = field["schema"]["default"]
        label = field["label"]
        if kind == "boolean":
            widgets[name] = BooleanField(label, **options)
        elif kind == "integer":
            widgets[name] = IntegerField(label, validators=[Optional()], **options)
        else:
            widgets[name] = StringField(label, validators=[Optional()], **options)
    return widgets
