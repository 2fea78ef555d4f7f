"""Fetch an account and check access in one step, so no view can forget the check."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from aftersale.accounts.models import Account


def access_account(user, pk: int) -> Account:
    """The account ``pk`` if ``user`` may see it; otherwise 404 (never 403, which would
    confirm that the account exists)."""
    return get_object_or_404(Account.objects.restrict(user).select_related("owner"), pk=pk)
