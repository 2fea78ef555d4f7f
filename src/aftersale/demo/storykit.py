"""Helpers that write one record of a hand-made story at a time.

Dates are given as "days before as_of" (``ago``), so a story reads the same
whatever day the demo is generated on. Weekends are moved to the Friday
before. Routine history (monthly orders, regular meetings) comes from the
``*_every`` helpers, drawn from the story's own seeded ``random.Random``.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from aftersale.accounts.models import Account, AccountKind, Contact
from aftersale.commerce.models import Order, OrderLine, Quote, QuoteLine
from aftersale.core.enums import Currency, Direction
from aftersale.demo import catalogue
from aftersale.demo.builder import Builder
from aftersale.demo.cast import Cast
from aftersale.demo.clock import Calendar, from_datetime64, to_datetime64
from aftersale.engagement.models import Idea, InfoShare, Touchpoint, TouchpointParticipant
from aftersale.promises.models import Promise, PromiseEvent, PromiseStatus
from aftersale.reviews.models import (
    CompetitorRating,
    Expectation,
    JointPlan,
    JointPlanItem,
    RelationshipReview,
    TrustRating,
)
from aftersale.service.models import Asset, CaseStatus, MaintenancePlan, ServiceCase, WorkLog
from aftersale.staff.models import User

FINAL = {PromiseStatus.KEPT, PromiseStatus.LATE, PromiseStatus.BROKEN, PromiseStatus.CANCELLED}


class StoryKit:
    def __init__(
        self, builder: Builder, cast: Cast, as_of: date, rng: random.Random,
        targets: dict[str, tuple[float, float]], calendar: Calendar,
    ) -> None:
        self.b = builder
        self.calendar = calendar
        self.cast = cast
        self.as_of = as_of
        self.rng = rng
        self.targets = targets
        self.password = cast.password
        self._serial: dict[str, int] = {}

    # -- time -------------------------------------------------------------------
    def day(self, ago: int) -> date:
        """The working day ``ago`` days before as_of, or the last one before it."""
        on = self.as_of - timedelta(days=max(ago, 1))
        while not self.calendar.is_working_day(on):
            on -= timedelta(days=1)
        return on

    def at(self, ago: int, hour: int = 10, minute: int = 0) -> datetime:
        return self.calendar.moment(self.day(ago), hour, minute)

    def staff(self, key: str) -> int:
        return self.cast.staff[key]

    def department(self, key: str) -> str:
        return next(s.department for s in catalogue.STAFF if s.email == key)

    def next_id(self, prefix: str) -> str:
        self._serial[prefix] = self._serial.get(prefix, 0) + 1
        return f"{prefix}{self._serial[prefix]:02d}"

    # -- the account and its people -------------------------------------------
    def account(
        self, external_id: str, name: str, industry: str, tier: str, owner: str, note: str,
        city: str, since_ago: int, kind: str = AccountKind.CUSTOMER, competitors: tuple[str, ...] = (),
    ) -> int:
        pk = self.b.add(
            Account, external_id=external_id, name=name, kind=kind, industry=industry, tier=tier,
            owner_id=self.staff(owner), currency=Currency.VND, city=city, country="VN",
            customer_since=self.as_of - timedelta(days=since_ago), notes=note,
        )
        for code in competitors:
            self.b.add(
                Account.competitors.through, account_id=pk, competitor_id=self.cast.competitors[code]
            )
        return pk

    def contact(self, account: int, ext: str, name: str, role: str, email: str,
                portal: bool = False) -> int:
        user = None
        if portal:
            user = self.b.add(
                User, email=email, name=name, department="", role="", password=self.password,
                is_superuser=False, is_active=True, date_joined=self.b.writer.stamp,
                last_login=None, language="vi" if _is_vietnamese(name) else "en",
            )
            self.cast.portal_logins.append((email, name, ext))
        return self.b.add(
            Contact, external_id=self.next_id(f"{ext}-K"), account_id=account, name=name,
            email=email, phone="", role=role, is_active=True, user_id=user, portal_enabled=portal,
        )

    def asset(self, account: int, ext: str, code: str, serial: str, installed_ago: int,
              warranty_days: int = 730, location: str = "") -> int:
        installed = self.as_of - timedelta(days=installed_ago)
        return self.b.add(
            Asset, external_id=self.next_id(f"{ext}-E"), account_id=account,
            product_id=self.cast.products[code], serial=serial, location=location,
            installed_at=installed, warranty_until=installed + timedelta(days=warranty_days),
            status="active",
        )

    def plan(self, asset: int, name: str, interval: int, last_done_ago: int) -> int:
        last = self.day(last_done_ago)
        return self.b.add(
            MaintenancePlan, asset_id=asset, product_id=None, name=name, interval_days=interval,
            last_done_at=last, next_due_at=last + timedelta(days=interval), is_active=True,
        )

    # -- commerce -----------------------------------------------------------------
    def order(self, account: int, ext: str, ago: int, lines: list[tuple[str, int, float]],
              channel: str = "rep", placed_by: int | None = None, taken_by: str | None = None,
              note: str = "") -> int:
        """``lines``: (product code, quantity, price as a share of the list price)."""
        total = Decimal(0)
        rows = []
        for code, quantity, share in lines:
            spec = catalogue.PRODUCTS_BY_CODE[code]
            price = Decimal(round(spec.list_price * share / 1000) * 1000)
            total += price * quantity
            rows.append((code, quantity, price, Decimal(spec.unit_cost)))
        pk = self.b.add(
            Order, external_id=self.next_id(f"{ext}-O"), account_id=account,
            placed_at=self.at(ago, self.rng.randint(8, 16), 5 * self.rng.randint(0, 11)),
            total=total, currency=Currency.VND, channel=channel, placed_by_id=placed_by,
            taken_by_id=self.staff(taken_by) if taken_by else None, note=note,
        )
        for code, quantity, price, cost in rows:
            self.b.add(OrderLine, order_id=pk, product_id=self.cast.products[code],
                       quantity=Decimal(quantity), unit_price=price, unit_cost=cost)
        return pk

    def quote(self, account: int, ext: str, title: str, by: str, lines: list[tuple[str, int, float]],
              competitor: str, competitor_price: int, competitor_service: int,
              competitor_downtime: int, competitor_life: int, downtime_cost: int) -> int:
        """A draft quote against a competitor's offer, for the TCO comparison (P13)."""
        pk = self.b.add(
            Quote, external_id=self.next_id(f"{ext}-Q"), account_id=account, created_by_id=self.staff(by),
            title=title, status="draft", currency=Currency.VND, horizon_years=10,
            target_margin=Decimal("0.25"), downtime_cost_per_hour=Decimal(downtime_cost),
            competitor_id=self.cast.competitors[competitor], competitor_price=Decimal(competitor_price),
            competitor_service_cost_per_year=Decimal(competitor_service),
            competitor_downtime_hours_per_year=Decimal(competitor_downtime),
            competitor_life_years=competitor_life,
        )
        for code, quantity, share in lines:
            price = catalogue.PRODUCTS_BY_CODE[code].list_price * share
            self.b.add(QuoteLine, quote_id=pk, product_id=self.cast.products[code], quantity=quantity,
                       unit_price=Decimal(round(price / 1000) * 1000))
        return pk

    def orders_every(self, account: int, ext: str, every: int, first_ago: int, last_ago: int,
                     lines: list[tuple[str, int, float]], jitter: float = 0.25, **kwargs: Any) -> None:
        for ago in self.series(every, first_ago, last_ago, jitter):
            self.order(account, ext, ago, lines, **kwargs)

    def series(self, every: int, first_ago: int, last_ago: int, jitter: float = 0.25) -> list[int]:
        """Days-ago from ``first_ago`` down to ``last_ago``, about ``every`` days apart."""
        out, ago = [], first_ago
        while ago >= last_ago:
            out.append(ago)
            ago -= max(1, round(every * (1 + self.rng.uniform(-jitter, jitter))))
        if out and out[-1] != last_ago:
            out.append(last_ago)
        return out

    # -- engagement ---------------------------------------------------------------
    def touchpoint(self, account: int, ext: str, ago: int, kind: str, topic: str, minutes: int,
                   by_customer: bool, staff: tuple[str, ...], summary: str = "",
                   contacts: tuple[int, ...] = (), hour: int = 10) -> int:
        pk = self.b.add(
            Touchpoint, external_id=self.next_id(f"{ext}-T"), account_id=account,
            occurred_at=self.at(ago, hour), kind=kind,
            initiated_by="customer" if by_customer else "vendor", minutes=minutes, topic=topic,
            summary=summary, logged_by_id=self.staff(staff[0]),
        )
        for key in staff:
            self.b.add(TouchpointParticipant, touchpoint_id=pk, user_id=self.staff(key),
                       department=self.department(key))
        for contact in contacts:
            self.b.add(Touchpoint.contacts.through, touchpoint_id=pk, contact_id=contact)
        return pk

    def touchpoints_every(self, account: int, ext: str, every: int, first_ago: int, last_ago: int,
                          topics: dict[str, tuple[int, tuple[str, ...]]], customer_share: float,
                          minutes: tuple[int, int] = (15, 90), contacts: tuple[int, ...] = ()) -> None:
        """Regular contact; ``topics`` maps topic -> (weight, staff who attend)."""
        names = list(topics)
        weights = [topics[t][0] for t in names]
        for ago in self.series(every, first_ago, last_ago):
            topic = self.rng.choices(names, weights)[0]
            kind = self.rng.choice(["visit", "meeting", "call", "video", "email"])
            low, high = minutes
            self.touchpoint(
                account, ext, ago, kind, topic, 5 * self.rng.randint(low // 5, high // 5),
                self.rng.random() < customer_share, topics[topic][1],
                contacts=(self.rng.choice(contacts),) if contacts else (),
            )

    def idea(self, account: int, ext: str, ago: int, ours: bool, area: str, title: str,
             status: str, value: int | None = None, by: str = "engineering",
             contact: int | None = None, decided_after: int = 30) -> int:
        decided = None if status == "proposed" else self.day(max(ago - decided_after, 1))
        return self.b.add(
            Idea, external_id=self.next_id(f"{ext}-I"), account_id=account,
            direction=Direction.FROM_US if ours else Direction.TO_US, area=area, title=title,
            description="", proposed_at=self.day(ago),
            proposed_by_user_id=self.staff(by) if ours else None,
            proposed_by_contact_id=None if ours else contact, status=status, decided_at=decided,
            estimated_value=Decimal(value) if value is not None else None, currency=Currency.VND,
        )

    def info(self, account: int, ago: int, ours: bool, kind: str, description: str,
             confidential: bool = False, by: str = "owner") -> None:
        self.b.add(
            InfoShare, account_id=account, direction=Direction.FROM_US if ours else Direction.TO_US,
            kind=kind, shared_at=self.day(ago), description=description,
            is_confidential=confidential, recorded_by_id=self.staff(by),
        )

    # -- service ------------------------------------------------------------------
    def case(self, account: int, ext: str, ago: int, kind: str, title: str, severity: str = "normal",
             complaint: bool = False, asset: int | None = None, respond_hours: float = 2.0,
             resolve_days: float | None = 3.0, raised_by: int | None = None,
             assigned: str = "service", channel: str = "phone", hour: int = 9,
             plan: int | None = None) -> int:
        opened = self.at(ago, hour, 40)
        now = self.calendar.moment(self.as_of, 0)
        response_target, resolution_target = self.targets[severity]
        due = self.calendar.add_business_hours(
            np.array([to_datetime64(opened)] * 2), np.array([response_target, resolution_target])
        )
        response_due, resolution_due = (from_datetime64(x) for x in due)
        responded = opened + timedelta(hours=respond_hours)
        responded = responded if responded < now else None
        resolved = opened + timedelta(days=resolve_days) if resolve_days is not None else None
        resolved = resolved if resolved is not None and resolved < now else None
        closed = resolved + timedelta(days=3) if resolved and resolved + timedelta(days=10) < now else None
        status = (CaseStatus.CLOSED if closed else CaseStatus.RESOLVED if resolved
                  else CaseStatus.IN_PROGRESS if responded else CaseStatus.NEW)
        return self.b.add(
            ServiceCase, external_id=self.next_id(f"{ext}-SC"), account_id=account,
            asset_id=asset, kind=kind, is_complaint=complaint, severity=severity, channel=channel,
            status=status, title=title, description="", raised_by_id=raised_by,
            assigned_to_id=self.staff(assigned), opened_at=opened, first_response_at=responded,
            resolved_at=resolved, closed_at=closed, response_due_at=response_due,
            resolution_due_at=resolution_due,
            response_breached=(responded or now) > response_due,
            resolution_breached=(resolved or now) > resolution_due, internal_notes="",
            maintenance_plan_id=plan, response_target_hours=Decimal(str(response_target)),
            resolution_target_hours=Decimal(str(resolution_target)),
        )

    def work(self, account: int, ago: int, by: str, hours: float, case: int | None = None,
             asset: int | None = None, parts: int = 0, travel: int = 0, on_site: bool = False,
             warranty: bool = False, note: str = "") -> None:
        self.b.add(
            WorkLog, account_id=account, case_id=case, asset_id=asset, user_id=self.staff(by),
            department=self.department(by), worked_on=self.day(ago), hours=Decimal(str(hours)),
            labour_cost=Decimal(round(hours * catalogue.LABOUR_RATE)), parts_cost=Decimal(parts),
            travel_cost=Decimal(travel), currency=Currency.VND, on_site=on_site,
            is_warranty=warranty, note=note,
        )

    # -- promises -------------------------------------------------------------------
    def promise(self, account: int, ext: str, description: str, stage: str, made_ago: int,
                due_ago: int, made_by: str, delivered_by: str, status: str,
                closed_ago: int | None = None, contact: int | None = None,
                renegotiated_from_ago: int | None = None, evidence: str = "") -> int:
        """A promise with its history rows; ``due_ago`` may be negative (due in the future)."""
        made = self.day(made_ago)
        due = self.as_of - timedelta(days=due_ago)
        closed = self.day(closed_ago) if status in FINAL and closed_ago is not None else None
        delivered = closed if status in (PromiseStatus.KEPT, PromiseStatus.LATE) else None
        original = self.as_of - timedelta(days=renegotiated_from_ago) if renegotiated_from_ago else None
        version = 1 + bool(original) + bool(closed)
        pk = self.b.add(
            Promise, external_id=self.next_id(f"{ext}-PR"), account_id=account, contact_id=contact,
            direction=Direction.FROM_US, description=description, stage=stage, made_at=made,
            made_by_id=self.staff(made_by), made_by_department=self.department(made_by), due_at=due,
            original_due_at=original, delivery_owner_id=self.staff(delivered_by),
            delivery_department=self.department(delivered_by), status=status,
            delivered_at=delivered, closed_at=closed, evidence=evidence,
            renegotiations=int(bool(original)), version=version,
        )
        self._event(pk, made, made_by, "recorded", {}, 1)
        before = "open"
        if original:
            when = min(original, self.as_of - timedelta(days=1))
            self._event(pk, when, delivered_by, "renegotiated",
                        {"due_at": [original.isoformat(), due.isoformat()],
                         "status": ["open", "renegotiated"]}, 2)
            before = "renegotiated"
        if closed:
            changes: dict[str, Any] = {"status": [before, str(status)]}
            if delivered:
                changes["delivered_at"] = [None, delivered.isoformat()]
            self._event(pk, closed, delivered_by, str(status), changes, version)
        return pk

    def _event(self, promise: int, on: date, by: str, action: str, changes: dict, version: int) -> None:
        self.b.add(PromiseEvent, promise_id=promise, at=self.calendar.moment(on, 11), by_id=self.staff(by),
                   action=action, changes=json.dumps(changes), note="", version=version)

    # -- reviews and trust -------------------------------------------------------------
    def trust(self, account: int, ago: int, of_us: float, of_them: float, satisfaction: int,
              contact: int | None, owner: str, comment: str = "") -> None:
        answers = json.dumps({"keeps_promises": round(of_us), "candid": round(of_us),
                              "would_not_exploit": round(of_us)})
        self.b.add(TrustRating, account_id=account, direction=Direction.TO_US, rated_at=self.day(ago),
                   rated_by_user_id=None, rated_by_contact_id=contact, trust=Decimal(str(of_us)),
                   satisfaction=satisfaction, answers=answers, comment=comment)
        self.b.add(TrustRating, account_id=account, direction=Direction.FROM_US, rated_at=self.day(ago),
                   rated_by_user_id=self.staff(owner), rated_by_contact_id=None,
                   trust=Decimal(str(of_them)), satisfaction=None, answers="{}", comment="")

    def review(self, account: int, ago: int, cadence: int, reviewer: str, outcome: str,
               promises_kept: bool, neglect: bool, notes: str = "", competitor_notes: str = "",
               ratings: dict[str | None, dict[str, int]] | None = None) -> int:
        held = self.day(ago)
        pk = self.b.add(
            RelationshipReview, account_id=account, reviewer_id=self.staff(reviewer), held_at=held,
            period_start=held - timedelta(days=cadence), status="completed", outcome=outcome,
            trend_notes=notes, promises_kept=promises_kept, promises_notes="",
            neglect_found=neglect, neglect_notes="", competitor_notes=competitor_notes,
            evidence="{}", next_due_at=held + timedelta(days=cadence),
        )
        for competitor, scores in (ratings or {}).items():
            for attribute, score in scores.items():
                self.b.add(CompetitorRating, review_id=pk,
                           competitor_id=self.cast.competitors[competitor] if competitor else None,
                           attribute=attribute, score=score)
        return pk

    def joint_plan(self, account: int, title: str, items: list[tuple[str, str, int, str]],
                   owner: str, contact: int | None) -> None:
        """``items``: (title, side "us"/"customer", due days-ago (negative: ahead), status)."""
        year = self.as_of.year
        pk = self.b.add(JointPlan, account_id=account, title=title, period_start=date(year, 1, 1),
                        period_end=date(year, 12, 31), shared_with_customer=True)
        for text, side, due_ago, status in items:
            due = self.as_of - timedelta(days=due_ago)
            self.b.add(
                JointPlanItem, plan_id=pk, title=text, owner_side=side,
                owner_user_id=self.staff(owner) if side == "us" else None,
                owner_contact_id=contact if side == "customer" else None, due_at=due, status=status,
                completed_at=min(due, self.as_of - timedelta(days=1)) if status == "done" else None,
                review_id=None, created_at=self.calendar.moment(date(year, 1, 1), 0),
            )

    def expectation(self, account: int, text: str, met: bool | None, assessed_ago: int | None,
                    held_by: str = "customer") -> None:
        self.b.add(Expectation, account_id=account, held_by=held_by, description=text, met=met,
                   assessed_at=self.day(assessed_ago) if assessed_ago else None)


def _is_vietnamese(name: str) -> bool:
    return name.split(" ")[0] in {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ"}

