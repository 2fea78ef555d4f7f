"""Products (read) and orders (create and change)."""


from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from aftersale.api.common import (
    ACCOUNT_REF,
    ONE,
    READ,
    WRITE,
    WRITE_ONE,
    AccountListFilters,
    ListFilters,
    account_for_write,
    current_values,
    get_or_404,
    not_null,
    people,
    since,
    valid,
    visible_accounts,
)
from aftersale.api.errors import Invalid, form_errors
from aftersale.api.forms import OrderForm, OrderLineForm
from aftersale.api.paging import page
from aftersale.api.schemas import OrderOut, OrderPage, ProductOut, ProductPage
from aftersale.api.types import Email, Id, In, Moment, Money, Quantity, Text
from aftersale.commerce.models import Channel, Order, OrderLine, Product, ProductKind
from aftersale.core.changes import account_changed
from aftersale.core.enums import Currency
from aftersale.core.models import new_external_id

products_router = Router()
orders_router = Router()

PRODUCT_FIELDS = ("id", "external_id", "name", "kind", "list_price", "unit_cost", "service_cost_per_year",
                  "life_years", "currency", "is_active", "created_at", "updated_at")


class ProductFilters(ListFilters):
    kind: ProductKind | None = None


@products_router.get("", response={200: ProductPage, **READ}, summary="List products")
def list_products(request: HttpRequest, filters: Query[ProductFilters]) -> dict[str, Any]:
    products = since(Product.objects.all(), filters.updated_since)
    if filters.external_id is not None:
        products = products.filter(external_id=filters.external_id)
    if filters.kind:
        products = products.filter(kind=filters.kind)
    items, cursor = page(products.values(*PRODUCT_FIELDS), limit=filters.limit, cursor=filters.cursor)
    return {"items": items, "next_cursor": cursor}


@products_router.get("/{product_id}", response={200: ProductOut, **ONE}, summary="One product")
def get_product(request: HttpRequest, product_id: Id) -> dict[str, Any]:
    return get_or_404(Product.objects.values(*PRODUCT_FIELDS), product_id)


# --- orders -------------------------------------------------------------------------------------

ORDER_FIELDS = ("id", "external_id", "placed_at", "total", "currency", "channel", "placed_by", "note",
                "created_at", "updated_at")


def visible_orders(request: HttpRequest) -> QuerySet[Order]:
    return Order.objects.filter(account__in=visible_accounts(request))


def order_rows(queryset: QuerySet[Order]) -> QuerySet:
    return queryset.values(*ORDER_FIELDS, "account", **ACCOUNT_REF,
                           taken_by_email=F("taken_by__email"))


def with_lines(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each order's lines, read in one query for the whole page."""
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for line in OrderLine.objects.filter(order_id__in=[r["id"] for r in rows]).order_by("pk").values(
        "order_id", "product", "quantity", "unit_price", "unit_cost",
        product_external_id=F("product__external_id"),
    ):
        lines[line.pop("order_id")].append(line)
    for row in rows:
        row["lines"] = lines[row["id"]]
    return rows


def one_order(pk: int) -> dict[str, Any]:
    return with_lines([order_rows(Order.objects.filter(pk=pk)).get()])[0]


@orders_router.get("", response={200: OrderPage, **READ}, summary="List orders")
def list_orders(request: HttpRequest, filters: Query[AccountListFilters]) -> dict[str, Any]:
    orders = since(visible_orders(request), filters.updated_since)
    if filters.external_id is not None:
        orders = orders.filter(external_id=filters.external_id)
    if filters.account:
        orders = orders.filter(account_id=filters.account)
    items, cursor = page(order_rows(orders), limit=filters.limit, cursor=filters.cursor)
    return {"items": with_lines(items), "next_cursor": cursor}


@orders_router.get("/{order_id}", response={200: OrderOut, **ONE}, summary="One order")
def get_order(request: HttpRequest, order_id: Id) -> dict[str, Any]:
    get_or_404(visible_orders(request), order_id)
    return one_order(order_id)


class OrderLineIn(In):
    product: Id
    quantity: Quantity
    unit_price: Money
    unit_cost: Money | None = Field(
        None, description="Cost at the time of sale; the product's when left out."
    )


class OrderIn(In):
    account: Id
    external_id: Text | None = Field(None, max_length=100, description="Generated when left out.")
    placed_at: Moment
    total: Money
    currency: Currency | None = Field(None, description="The account's currency when left out.")
    channel: Channel = Channel.REP
    placed_by: Id | None = Field(None, description="A contact of the same account.")
    taken_by_email: Email | None = None
    note: Text = ""
    lines: list[OrderLineIn] = Field(default_factory=list, max_length=1000)


class OrderPatch(In):
    external_id: Text | None = Field(None, max_length=100)
    placed_at: Moment | None = None
    total: Money | None = None
    currency: Currency | None = None
    channel: Channel | None = None
    placed_by: Id | None = None
    taken_by_email: Email | None = None
    note: Text | None = None


def _order_data(values: dict[str, Any]) -> dict[str, Any]:
    data = dict(values)
    if "taken_by_email" in data:
        data["taken_by"] = people({"taken_by_email": data.pop("taken_by_email")})["taken_by_email"]
    return data


RENAME = {"taken_by": "taken_by_email"}


@orders_router.post("", response={201: OrderOut, **WRITE}, summary="Record an order")
@transaction.atomic
def create_order(request: HttpRequest, payload: OrderIn) -> tuple[int, dict[str, Any]]:
    data = _order_data(payload.model_dump(mode="json"))
    account = account_for_write(request, data.pop("account"))
    lines = data.pop("lines")
    data["external_id"] = data["external_id"] or new_external_id()
    data["currency"] = data["currency"] or account.currency
    form = OrderForm(data, account=account)
    errors = [] if form.is_valid() else form_errors(form, RENAME)
    line_forms = [OrderLineForm(line) for line in lines]
    for index, line_form in enumerate(line_forms):
        if not line_form.is_valid():
            errors += form_errors(line_form, prefix=f"lines.{index}.")
    if errors:
        raise Invalid(errors)
    order = form.save()
    for line_form in line_forms:
        line = line_form.save(commit=False)
        line.order = order
        if line.unit_cost is None:
            line.unit_cost = line.product.unit_cost
        line.save()
    # Orders are recorded here, not by a domain action: say which account changed.
    account_changed(order.account_id)
    return 201, one_order(order.pk)


@orders_router.patch("/{order_id}", response={200: OrderOut, **WRITE_ONE}, summary="Change an order")
@transaction.atomic
def update_order(request: HttpRequest, order_id: Id, payload: OrderPatch) -> dict[str, Any]:
    order = get_or_404(visible_orders(request).select_for_update(of=("self",)).select_related("account"),
                       order_id)
    changes = _order_data(not_null(payload.model_dump(mode="json", exclude_unset=True),
                                   ("placed_by", "taken_by_email")))
    form = OrderForm({**current_values(OrderForm(instance=order, account=order.account)), **changes},
                     instance=order, account=order.account)
    valid(form, RENAME)
    form.save()
    account_changed(order.account_id)
    return one_order(order.pk)

