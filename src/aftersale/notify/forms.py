"""The notification settings form: one choice per kind of alert."""

from __future__ import annotations

from typing import Any

from django import forms

from aftersale.alerts.models import AlertKind
from aftersale.notify.models import Delivery


class PreferencesForm(forms.Form):
    def __init__(self, *args: Any, current: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in AlertKind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=Delivery.choices, initial=current[kind], widget=forms.RadioSelect,
            )
