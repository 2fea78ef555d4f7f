"""Resolvers for the columns that refer to other rows: accounts, products, assets, staff."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Account
from aftersale.commerce.models import Product
from aftersale.imports.kinds.base import Resolver
from aftersale.service.models import Asset
from aftersale.staff.models import User


def accounts() -> Resolver:
    """external_id -> (pk, currency)."""
    return Resolver(
        queryset=Account.objects.all, key="external_id", extra=("currency",),
        missing=_("There is no account with this external_id (import accounts first)."),
    )


def products() -> Resolver:
    return Resolver(
        queryset=Product.objects.all, key="external_id",
        missing=_("There is no product with this external_id (import products first)."),
    )


def assets() -> Resolver:
    """external_id -> (pk, account_id)."""
    return Resolver(
        queryset=Asset.objects.all, key="external_id", extra=("account_id",),
        missing=_("There is no asset with this external_id (import assets first)."),
    )


def staff() -> Resolver:
    """e-mail -> (pk, department, name); portal contacts' logins are not staff."""
    return Resolver(
        # Keys arrive lower-cased by the e-mail parser, as the addresses are stored.
        queryset=User.objects.staff, key="email", extra=("department", "name"),
        missing=_("There is no staff member with this e-mail (import staff first)."),
    )
