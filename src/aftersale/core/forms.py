"""What every form shares: how a page hands a valid form to its ``do_*`` action and shows
the action's refusal, and a select that stays quick with hundreds of options."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

T = TypeVar("T")


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show an action's ``ValidationError`` on the form: on the field it names when the
    form has that field, above the form otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def perform(form: forms.BaseForm, action: Callable[..., T], /, **context: Any) -> T | None:
    """``action(**context, **form.cleaned_data)`` for a valid form whose fields are named as the
    action's arguments; None, with the refusal shown on the form, when the action refuses."""
    try:
        return action(**context, **form.cleaned_data)
    except ValidationError as error:
        apply_errors(form, error)
        return None


SELECTED = mark_safe(" selected")  # noqa: S308 - a constant


class QuickSelect(forms.Select):
    """A ``<select>`` whose options are written in Python. Django renders each option through
    templates of its own; over every active staff member (a promise form has two such lists,
    a manager's filters one) that was most of the time of the page."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join("", '<option value="{}"{}>{}</option>', (
            (option["value"], SELECTED if option["selected"] else "", option["label"])
            for _group, group_options, _index in widget["optgroups"] for option in group_options
        ))
        attributes = flatatt(widget["attrs"])
        return format_html('<select name="{}"{}>{}</select>', widget["name"], attributes, options)
