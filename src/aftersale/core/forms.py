"""How a page hands a valid form to its ``do_*`` action and shows the action's refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError

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
