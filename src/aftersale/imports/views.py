"""Staff pages: upload a CSV file, preview every problem or change, confirm; download CSV.

Importing is for managers (and admins): a file can rewrite a whole portfolio.
Importing staff is for admins only, since it sets roles. Every staff member may
download what they can see.
"""

from __future__ import annotations

from itertools import chain

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from aftersale.accounts.models import Account
from aftersale.imports import uploads
from aftersale.imports.engine import import_file
from aftersale.imports.exporting import csv_lines, export_rows
from aftersale.imports.forms import ImportForm
from aftersale.imports.kinds import KINDS
from aftersale.staff.access import manager_required, staff_required
from aftersale.staff.models import Role
from aftersale.web.filters import AccountFilters

SESSION_KEY = "imports"


@staff_required
def index(request: HttpRequest) -> HttpResponse:
    form = ImportForm(user=request.user) if request.user.is_manager else None
    return render(request, "imports/index.html", {"form": form, "kinds": KINDS.values()})


@manager_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return render(request, "imports/index.html", {"form": form, "kinds": KINDS.values()},
                      status=400)
    kind = form.cleaned_data["kind"]
    upload = form.cleaned_data["file"]
    token = uploads.keep(upload)
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {"kind": kind, "name": upload.name}
    request.session[SESSION_KEY] = pending
    path = uploads.path_for(token)
    assert path is not None
    with open(path, "rb") as binary:
        result = import_file(kind, binary, dry_run=True)
    if result.problems:
        # Nothing to confirm: the file goes, the report stays on the page.
        _forget(request, token)
        token = ""
    return render(
        request, "imports/preview.html",
        {"result": result, "kind": KINDS[kind], "name": upload.name, "token": token},
    )


@manager_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("token", "")
    pending = request.session.get(SESSION_KEY, {}).get(token)
    path = uploads.path_for(token)
    if pending is None or path is None:
        raise Http404
    kind = pending["kind"]
    if kind == "staff" and request.user.role != Role.ADMIN:
        raise Http404
    # Checked again, in the same transaction that writes: the data may have
    # changed since the preview.
    with open(path, "rb") as binary:
        result = import_file(kind, binary)
    _forget(request, token)
    return render(
        request, "imports/result.html",
        {"result": result, "kind": KINDS[kind], "name": pending["name"]},
    )


@manager_required
@require_POST
def cancel(request: HttpRequest) -> HttpResponse:
    _forget(request, request.POST.get("token", ""))
    return redirect("imports:index")


def _forget(request: HttpRequest, token: str) -> None:
    pending = request.session.get(SESSION_KEY, {})
    if token in pending:
        del pending[token]
        request.session[SESSION_KEY] = pending
        uploads.discard(token)


@staff_required
def export(request: HttpRequest, kind: str) -> HttpResponse | StreamingHttpResponse:
    if kind not in KINDS:
        raise Http404
    accounts = Account.objects.restrict(request.user)
    if kind == "accounts":
        # The account list's own filters, so its CSV is the list the user sees.
        filters = AccountFilters(request.GET)
        if filters.errors:
            return filters.bad_request()
        accounts = filters.apply(accounts, request.user)
    stamp = timezone.localdate().isoformat()
    # A BOM first, so spreadsheet programs open the file as UTF-8; imports accept it.
    lines = chain(["\ufeff"], csv_lines(export_rows(kind, accounts)))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="aftersale-{kind}-{stamp}.csv"'
    return response
