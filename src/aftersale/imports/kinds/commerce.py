"""Products and orders."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from aftersale.commerce.models import Channel, Order, Product, ProductKind
from aftersale.imports import parsing as p
from aftersale.imports.kinds import refs
from aftersale.imports.kinds.base import Column, Kind, Resolver, Row
from aftersale.imports.kinds.people import EXTERNAL_ID

# MoneyField: 18 digits, 2 of them after the dot.
MONEY = p.decimal(18, 2)


class ProductsKind(Kind):
    name = "products"
    label = gettext_lazy("Products")
    model = Product
    columns = (
        EXTERNAL_ID,
        Column("name", p.text(200), field="name"),
        Column("kind", p.choice(ProductKind.values), field="kind"),
        Column("list_price", MONEY, field="list_price", required=False),
        Column("unit_cost", MONEY, field="unit_cost", required=False),
        Column("service_cost_per_year", MONEY, field="service_cost_per_year", required=False),
        Column("life_years", p.integer(1, 200), field="life_years", required=False),
    )

    def export_queryset(self, accounts: QuerySet) -> QuerySet:
        return Product.objects.order_by("pk").values_list(*[c.export_path for c in self.columns])


class OrdersKind(Kind):
    """Orders with their total; lines are optional in Aftersale and not imported."""

    name = "orders"
    label = gettext_lazy("Orders")
    model = Order
    account_field = "account_id"
    columns = (
        EXTERNAL_ID,
        Column("account", p.text(100), field="account_id", ref="account",
               export="account__external_id"),
        Column("placed_at", p.datetime_value, field="placed_at"),
        Column("total", MONEY, field="total"),
        Column("channel", p.choice(Channel.values), field="channel", required=False),
    )

    def resolvers(self) -> dict[str, Resolver]:
        return {"account": refs.accounts()}

    def on_create(self, row: Row) -> None:
        # The total is in the account's currency; it is not a column.
        row.fields["currency"] = row.refs["account"][1]
