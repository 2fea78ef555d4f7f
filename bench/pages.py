"""Benchmark: server time of the staff pages (Django test client, warm) on a generated portfolio.

Run from the repository root (never part of the test suite):

    DEBUG=1 PYTHONPATH=src python bench/pages.py [--accounts 2000] [--events 40]
    DEBUG=1 PYTHONPATH=src DATABASE_URL=postgres://... python bench/pages.py --existing

It builds a throw-away SQLite database in var/bench-pages.sqlite3 with
``--accounts`` accounts, each with a few orders, touchpoints and promises and
90 days of health snapshots, plus one busy account with ``--events`` of each
kind, then requests each page once to warm up and reports the best of five
(and the median).

``--existing`` builds nothing: it measures the database ``DATABASE_URL`` names
as it is, for example the ``aftersale demo --accounts 100000`` portfolio
(scanned first, so that it has snapshots and alerts). It logs in as the demo's
manager (``--manager``), takes the account with the most orders, touchpoints,
cases and promises as the busy account, and also requests an ordinary
account's page and an owner's (``--owner``) attention list.

The page cache (``PAGE_CACHE_SECONDS``, docs/web.md) is off unless
``--page-cache`` is given: the figures are the cost of rendering each page.
With it, the attention list and account page are served from the cache after
the warm-up request, which measures a cache hit instead.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from _common import setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--events", type=int, default=40, help="events of each kind on the busy account")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--existing", action="store_true",
                        help="measure the database DATABASE_URL names as it is (no build)")
    parser.add_argument("--manager", default="manager@demo.aftersale", help="with --existing: who logs in")
    parser.add_argument("--owner", default="owner@demo.aftersale",
                        help="with --existing: whose own attention list is also measured")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--markdown", action="store_true",
                        help="print the results as Markdown table rows (for docs/benchmarks.md)")
    parser.add_argument("--skip", action="append", default=[],
                        help="leave out the pages whose name has this text (e.g. CSV)")
    parser.add_argument("--only", action="append", default=[],
                        help="measure only the pages whose name has this text (e.g. 'account 360')")
    parser.add_argument("--page-cache", action="store_true",
                        help="keep the page cache on (hits are measured, not renders)")
    args = parser.parse_args()
    if not args.page_cache:
        os.environ["PAGE_CACHE_SECONDS"] = "0"
    if args.existing and "DATABASE_URL" not in os.environ:
        parser.error("--existing needs DATABASE_URL")

    db = Path("var/bench-pages.sqlite3").resolve()
    setup_django(db)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["testserver"]
    extra: list[tuple[str, str, dict[str, str], object]] = []
    if args.existing:
        manager, busy, ordinary, owner = existing(args.manager, args.owner)
        print(f"busy account {busy}, ordinary account {ordinary}")
        extra = [("account 360 (ordinary account)", f"/accounts/{ordinary}/", {}, None),
                 ("attention list (an owner's own)", "/", {}, owner)]
    else:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        manager, busy = build(args.accounts, args.events, args.seed)
        print(f"built in {time.perf_counter() - started:.1f} s")

    clients = {None: Client()}
    clients[None].force_login(manager)
    for _name, _url, _headers, user in extra:
        if user is not None and user not in clients:
            clients[user] = Client()
            clients[user].force_login(user)
    pages = [
        ("attention list", "/", {}, None),
        ("account 360 (busy account)", f"/accounts/{busy}/", {}, None),
        ("timeline page 2 (htmx)", f"/accounts/{busy}/timeline/?page=2", {"HTTP_HX_REQUEST": "true"}, None),
        ("score panel (htmx)", f"/accounts/{busy}/score/", {"HTTP_HX_REQUEST": "true"}, None),
        ("portfolio", "/portfolio/", {}, None),
        ("portfolio sorted by score, descending", "/portfolio/?sort=-score", {}, None),
        ("portfolio CSV", "/portfolio/?format=csv", {}, None),
        ("departments", "/departments/", {}, None),
        *extra,
    ]
    pages = [p for p in pages if not any(text in p[0] for text in args.skip)
             and (not args.only or any(text in p[0] for text in args.only))]
    print(f"load average {os.getloadavg()[0]:.2f}")
    # CPU: this process's time (view, template, driver); the rest of the wall time is
    # waiting on the database (and, on a shared machine, for a core).
    if args.markdown:
        print("| page | best | median | CPU median | queries |\n|---|---:|---:|---:|---:|")
    else:
        print(f"{'page':<40} {'best ms':>8} {'median':>8} {'CPU med':>8} {'queries':>8}")
    for name, url, headers, user in pages:
        client = clients[user]
        assert client.get(url, **headers).status_code == 200, url
        times, cpu = [], []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                t, c = time.perf_counter(), time.process_time()
                response = client.get(url, **headers)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
                times.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
        best, median, cpu_median = (min(times) * 1000, statistics.median(times) * 1000,
                                    statistics.median(cpu) * 1000)
        if args.markdown:
            print(f"| {name} | {best:,.0f} ms | {median:,.0f} ms | {cpu_median:,.0f} ms | {len(ctx)} |")
        else:
            print(f"{name:<40} {best:8.0f} {median:8.0f} {cpu_median:8.0f} {len(ctx):8d}")
    print(f"load average {os.getloadavg()[0]:.2f}")


def existing(manager_email: str, owner_email: str):
    """The demo's manager, its busiest account, an ordinary one and an owner, from the database as it is."""
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from aftersale.accounts.models import Account
    from aftersale.commerce.models import Order
    from aftersale.engagement.models import Touchpoint
    from aftersale.promises.models import Promise
    from aftersale.service.models import ServiceCase
    from aftersale.staff.models import User

    manager = User.objects.get(email=manager_email)
    owner = User.objects.get(email=owner_email)
    # The account with the longest history: a few hundred candidates by orders, then each kind
    # counted in its own subquery (joining the kinds together would multiply the rows).
    by_orders = Account.objects.annotate(n=Count("orders")).order_by("-n")
    candidates = list(by_orders.values_list("pk", flat=True)[:200])

    def count(model):
        rows = model.objects.filter(account=OuterRef("pk")).order_by().values("account")
        return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)

    counted = Account.objects.filter(pk__in=candidates).annotate(
        n=count(Order) + count(Touchpoint) + count(Promise) + count(ServiceCase)
    ).order_by("-n")
    busy = counted.values_list("pk", flat=True)[0]
    ids = Account.objects.order_by("pk").values_list("pk", flat=True)
    ordinary = ids[ids.count() // 2]
    return manager, busy, ordinary, owner


def build(n_accounts: int, n_events: int, seed: int):
    from django.utils import timezone

    from aftersale.accounts.models import Account
    from aftersale.commerce.models import Order
    from aftersale.engagement.models import Touchpoint, TouchpointParticipant
    from aftersale.health.models import HealthSnapshot
    from aftersale.promises.models import Promise
    from aftersale.staff.models import User

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    departments = ["sales", "engineering", "production", "service", "finance"]
    staff = [User.objects.create_user(email=f"staff{i}@bench.test", password=None, name=f"Staff {i}",
                                      department=departments[i % 5], role="member") for i in range(20)]
    manager = staff[0]
    User.objects.filter(pk=manager.pk).update(role="manager")
    manager.refresh_from_db()
    Account.objects.bulk_create(
        Account(name=f"Account {i:05}", external_id=f"B-{i}", owner=staff[i % 20]) for i in range(n_accounts)
    )
    accounts = list(Account.objects.values_list("pk", flat=True))
    busy = accounts[0]
    orders, touchpoints, promises, snapshots = [], [], [], []
    for pk in accounts:
        k = n_events if pk == busy else 3
        for j in range(k):
            orders.append(Order(account_id=pk, external_id=f"O-{pk}-{j}", currency="VND",
                                placed_at=now - timedelta(days=rng.randint(1, 700)), total=Decimal("1000")))
            touchpoints.append(Touchpoint(
                account_id=pk, external_id=f"T-{pk}-{j}",
                occurred_at=now - timedelta(days=rng.randint(1, 700)), kind="call", initiated_by="vendor",
                minutes=30, topic="training", topic_class="collaborative"))
            made = today - timedelta(days=rng.randint(10, 600))
            promises.append(Promise(
                account_id=pk, external_id=f"P-{pk}-{j}", description="Deliver", stage="after_sale",
                made_at=made, original_due_at=made + timedelta(days=30), due_at=made + timedelta(days=30),
                made_by=staff[j % 20], made_by_department=departments[j % 5],
                delivery_owner=staff[(j + 1) % 20], delivery_department=departments[(j + 1) % 5]))
        for days in (90, 60, 30, 0):
            score = rng.uniform(20, 95)
            band = "healthy" if score >= 70 else "watch" if score >= 50 else "at_risk"
            snapshots.append(HealthSnapshot(account_id=pk, as_of=today - timedelta(days=days),
                                            computed_at=now, score=score, band=band, coverage=0.8))
    Order.objects.bulk_create(orders, batch_size=2000)
    Touchpoint.objects.bulk_create(touchpoints, batch_size=2000)
    Promise.objects.bulk_create(promises, batch_size=2000)
    HealthSnapshot.objects.bulk_create(snapshots, batch_size=2000)
    # As the engine does when it stores snapshots: each account's copy of its latest.
    try:
        from aftersale.health.latest import sync_latest_health
    except ImportError:  # a branch from before the copy existed (to compare with)
        pass
    else:
        sync_latest_health(None)
    TouchpointParticipant.objects.bulk_create(
        (TouchpointParticipant(touchpoint_id=t, user=manager, department="sales")
         for t in Touchpoint.objects.values_list("pk", flat=True)), batch_size=2000)
    return manager, busy


if __name__ == "__main__":
    main()
