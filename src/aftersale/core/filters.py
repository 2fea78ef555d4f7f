"""The one way a list page reads its filters from the query string, and shows them.

A page declares its filters as a ``FilterForm`` (each field optional and named as its
query parameter), builds it from ``request.GET`` and includes ``filters.html`` with it.
The form is always bound to the query string, so the values are parsed in one place:
a value a field does not accept is named beside the field, the list is shown without
that filter, and the page answers 400 (``response_status``), never a 500 and never a silent guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, ClassVar

from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpResponseBadRequest, QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from aftersale.core.forms import QuickSelect

Choices = Iterable[tuple[str, Any]] | Callable[[], Iterable[tuple[str, Any]]]
# Larger numbers are not ids (the database's integer keys stop at 2**31 - 1).
MAX_ID = 2**31 - 1


class FilterForm(forms.Form):
    """A list page's filters, parsed from the query string: ``values`` in the view and the
    template (``filters.values.tier``), ``response_status`` for the page.

    ``defaults`` (on the class, or per request) stand in for parameters the query does not
    carry at all; an empty parameter (``?owner=``) means "any" and is kept.
    """

    defaults: ClassVar[Mapping[str, str]] = {}
    template_name = "filters.html"
    submit_label = _("Filter")

    def __init__(self, query: QueryDict | Mapping[str, Any], *, defaults: Mapping[str, str] | None = None,
                 **kwargs: Any) -> None:
        if isinstance(query, QueryDict):
            data = query.copy()
        else:
            data = QueryDict(mutable=True)
            data.update(query)
        for name, value in {**self.defaults, **(defaults or {})}.items():
            if name not in data:
                data[name] = value
        kwargs.setdefault("auto_id", "f-%s")
        super().__init__(data, **kwargs)

    @property
    def response_status(self) -> int:
        """The page's status: 400 when a parameter had a value its filter does not accept."""
        return 400 if self.errors else 200

    def bad_request(self) -> HttpResponseBadRequest:
        """For a download (no page to show the filters on): what was wrong, as plain text."""
        lines = [f"{self[name].label} “{self[name].value() or ''}”: {' '.join(errors)}"
                 for name, errors in self.errors.items()]
        return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")

    @cached_property
    def values(self) -> dict[str, Any]:
        """Every filter's value; a filter given a bad value has its empty value (no filter)."""
        self.is_valid()
        return {
            name: self.cleaned_data[name] if name in self.cleaned_data else empty(field)
            for name, field in self.fields.items()
        }


def empty(field: forms.Field) -> Any:
    """What a field holds when nothing (or nothing it accepts) was given."""
    return field.empty_value if hasattr(field, "empty_value") else field.to_python(None)


def choice(label: str, choices: Choices, *, blank: str | None = _("All"),
           hidden: bool = False) -> forms.ChoiceField:
    """A filter among ``choices``; ``blank`` (when not None) labels the empty "any" option."""
    def options() -> list[tuple[str, Any]]:
        listed = list(choices() if callable(choices) else choices)
        return listed if blank is None else [("", blank), *listed]

    widget = forms.HiddenInput if hidden else QuickSelect
    return forms.ChoiceField(label=label, choices=options, required=False, widget=widget)


def day(label: str, *, hidden: bool = False) -> forms.DateField:
    widget = forms.HiddenInput if hidden else forms.DateInput(attrs={"type": "date"})
    return forms.DateField(label=label, required=False, widget=widget,
                           error_messages={"invalid": _("This is not a date (use YYYY-MM-DD).")})


def number(label: str, low: int, high: int, *, hidden: bool = False) -> forms.IntegerField:
    widget = forms.HiddenInput if hidden else forms.NumberInput
    return forms.IntegerField(label=label, required=False, min_value=low, max_value=high, widget=widget)


def search(label: str = _("Search"), placeholder: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=100, strip=True,
                           widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder}))


def flag(label: str) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False)


class IdField(forms.IntegerField):
    """An object's id in the query string (``?account=12``); who may see it is the view's check."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput, **kwargs)


class OwnerField(forms.ChoiceField):
    """Whose accounts: anyone (''), ``me`` (unless ``me`` is None), or a staff member's id.
    The options name the people who own accounts; any id is accepted (a link may name
    someone who owns none today, which lists nothing)."""

    widget = QuickSelect

    def __init__(self, owners: Callable[[], Iterable[Any]], *, label: str = _("Owner"),
                 anyone: str = _("Anyone"), me: str | None = _("Me"), **kwargs: Any) -> None:
        super().__init__(label=label, required=False, **kwargs)
        self.me = me is not None
        mine = [("me", me)] if me is not None else []
        self.choices = lambda: [("", anyone), *mine, *((str(o.pk), str(o)) for o in owners())]

    def valid_value(self, value: Any) -> bool:
        text = str(value)
        return text == "" or (text == "me" and self.me) or (text.isdigit() and 0 < int(text) <= MAX_ID)


def by_owner(queryset: QuerySet, owner: str, user: Any, *, field: str = "owner") -> QuerySet:
    """Narrow to an ``OwnerField``'s choice."""
    if owner == "me":
        return queryset.filter(**{field: user})
    if owner:
        return queryset.filter(**{f"{field}_id": int(owner)})
    return queryset


def by_search(queryset: QuerySet, text: str, *, contains: str, exact: str = "external_id") -> QuerySet:
    """Part of a name, or a key exactly (case aside)."""
    if not text:
        return queryset
    return queryset.filter(Q(**{f"{contains}__icontains": text}) | Q(**{f"{exact}__iexact": text}))


def not_after(value: date | None, today: date) -> date:
    """An "as of" day: the one asked for, but never later than today (nothing has happened yet)."""
    return min(value, today) if value else today
