"""The people and things every demo shares: staff logins, products, competitors."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.contrib.auth.hashers import make_password

from aftersale.accounts.models import Competitor, Industry
from aftersale.commerce.models import Product, ProductKind
from aftersale.core.enums import Currency, Department
from aftersale.demo import catalogue
from aftersale.demo.builder import Builder
from aftersale.demo.names import en_person, vi_person
from aftersale.service.models import ServiceTarget
from aftersale.staff.models import Role, User


@dataclass
class ProductTable:
    """Products of one kind group for one industry, as arrays for vectorised draws."""

    ids: np.ndarray
    codes: list[str]
    list_price: np.ndarray
    unit_cost: np.ndarray
    kind: np.ndarray
    maintenance_days: np.ndarray


@dataclass
class Cast:
    staff: dict[str, int] = field(default_factory=dict)
    by_department: dict[str, np.ndarray] = field(default_factory=dict)
    owners: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    products: dict[str, int] = field(default_factory=dict)
    competitors: dict[str, int] = field(default_factory=dict)
    equipment: dict[str, ProductTable] = field(default_factory=dict)
    supplies: dict[str, ProductTable] = field(default_factory=dict)
    generated_staff: int = 0
    password: str = ""
    # (e-mail, name, account external ID) of the portal logins the stories create.
    portal_logins: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def competitor_ids(self) -> np.ndarray:
        return np.array(sorted(self.competitors.values()), dtype=np.int64)


def build_cast(builder: Builder, *, generic_accounts: int, seed: int) -> Cast:
    cast = Cast()
    # One hash for every demo login: PBKDF2 is slow on purpose, and they all
    # share the documented password anyway.
    password = make_password(catalogue.DEMO_PASSWORD, salt=f"demo{seed}")
    cast.password = password
    stamp = builder.writer.stamp
    members: dict[str, list[int]] = {d: [] for d in Department.values}

    def add_user(email: str, name: str, department: str, role: str) -> int:
        pk = builder.add(
            User, email=email, name=name, department=department, role=role, password=password,
            is_superuser=role == Role.ADMIN, is_active=True,
            date_joined=stamp, last_login=None, language="en",
        )
        members[department].append(pk)
        return pk

    owners: list[int] = []
    for person in catalogue.STAFF:
        pk = add_user(person.login, person.name, person.department, person.role)
        cast.staff[person.email] = pk
        if person.owns_accounts:
            owners.append(pk)

    # Generated colleagues for big portfolios (same password, not printed).
    extra_owners = max(0, math.ceil(generic_accounts / catalogue.ACCOUNTS_PER_OWNER) - len(owners))
    for k in range(extra_owners):
        name = vi_person(k * 3 + 1) if k % 3 else en_person(k)
        owners.append(
            add_user(f"sales{k + 1:03d}@{catalogue.EMAIL_DOMAIN}", name, Department.SALES, Role.MEMBER)
        )
        cast.generated_staff += 1
    technicians = math.ceil(generic_accounts / catalogue.ACCOUNTS_PER_TECHNICIAN)
    for department in Department.technical():
        for k in range(max(0, technicians - len(members[department]))):
            name = vi_person(k * 5 + 2) if k % 4 else en_person(k + 3)
            add_user(
                f"{department}{k + 1:03d}@{catalogue.EMAIL_DOMAIN}", name, department, Role.MEMBER
            )
            cast.generated_staff += 1
    cast.owners = np.array(owners, dtype=np.int64)
    cast.by_department = {d: np.array(ids, dtype=np.int64) for d, ids in members.items() if ids}

    for spec in catalogue.PRODUCTS:
        cast.products[spec.code] = builder.add(
            Product, external_id=spec.external_id, name=spec.name, kind=spec.kind,
            list_price=Decimal(spec.list_price), unit_cost=Decimal(spec.unit_cost),
            service_cost_per_year=Decimal(spec.service_cost_per_year),
            life_years=spec.life_years, currency=Currency.VND, is_active=True,
        )
    for spec in catalogue.PRODUCTS:
        for target in spec.fits:
            builder.add(
                Product.fits.through,
                from_product_id=cast.products[spec.code],
                to_product_id=cast.products[target],
            )
    for comp in catalogue.COMPETITORS:
        cast.competitors[comp.code] = builder.add(
            Competitor, external_id=comp.external_id, name=comp.name, website=comp.website,
            notes=comp.notes,
        )
    for industry in (Industry.CAPITAL_EQUIPMENT, Industry.FINANCIAL_SERVICES, Industry.CONSULTING):
        eligible = [p for p in catalogue.PRODUCTS if industry in p.industries]
        cast.equipment[industry] = _table(
            cast, [p for p in eligible if p.kind == ProductKind.EQUIPMENT]
        )
        cast.supplies[industry] = _table(
            cast, [p for p in eligible if p.kind != ProductKind.EQUIPMENT]
        )
    return cast


def _table(cast: Cast, specs: list[catalogue.ProductSpec]) -> ProductTable:
    return ProductTable(
        ids=np.array([cast.products[p.code] for p in specs], dtype=np.int64),
        codes=[p.code for p in specs],
        list_price=np.array([p.list_price for p in specs], dtype=np.int64),
        unit_cost=np.array([p.unit_cost for p in specs], dtype=np.int64),
        kind=np.array([p.kind for p in specs], dtype=object),
        maintenance_days=np.array([p.maintenance_days or 0 for p in specs], dtype=np.int64),
    )


def ensure_service_targets() -> dict[str, tuple[float, float]]:
    """The targets in force, per severity, after adding the demo's for any severity
    that has none (they stay when the demo is removed: they are configuration).

    Cases get their due times from these, so they agree with the service clock.
    """
    targets: dict[str, tuple[float, float]] = {}
    for severity, (response, resolution) in catalogue.SERVICE_TARGETS.items():
        target, _ = ServiceTarget.objects.get_or_create(
            severity=severity,
            defaults={"response_hours": response, "resolution_hours": resolution},
        )
        targets[severity] = (float(target.response_hours), float(target.resolution_hours))
    return targets
