"""The audit trail page: managers search who changed what, and when."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersale.core.filters import FilterForm, day
from aftersale.core.forms import QuickSelect
from aftersale.ops.audit import audited_content_types, search
from aftersale.staff.access import manager_required


class AuditFilter(FilterForm):
    model = forms.TypedChoiceField(label=pgettext_lazy("audit", "Record"), required=False,
                                   coerce=int, empty_value=None)
    user = forms.TypedChoiceField(label=_("Changed by"), required=False, coerce=int,
                                  empty_value=None, widget=QuickSelect)
    object = forms.CharField(label=_("Record number"), required=False, max_length=40)
    since = day(_("From"))
    until = day(_("To"))
    submit_label = _("Search")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("All"))] + [
            (ct.pk, str(ct.model_class()._meta.verbose_name).capitalize())
            for ct in audited_content_types()
        ]
        staff = get_user_model().objects.exclude(department="").order_by("name")
        self.fields["user"].choices = [("", _("Anyone"))] + [(u.pk, u.name) for u in staff]


@manager_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilter(request.GET)
    filters = form.values
    entries = search(
        content_type=filters.get("model"), actor=filters.get("user"),
        object_pk=filters.get("object") or "", since=filters.get("since"),
        until=filters.get("until"),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "ops/audit_log.html",
                  {"form": form, "page": page, "query": query.urlencode()}, status=form.response_status)
