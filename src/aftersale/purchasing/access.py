"""Fetch a supplier and check access in one step, so no view can forget the check."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from aftersale.accounts.models import Account


def access_supplier(user, pk: int) -> Account:
    """The supplier account ``pk`` if ``user`` may see it; otherwise 404 (a customer's
    id is a 404 too: the supplier pages never show a customer)."""
    return get_object_or_404(Account.objects.restrict(user).suppliers().select_related("owner"), pk=pk)
