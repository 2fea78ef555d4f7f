"""Benchmark of the health scan (issue 6): full scan, peak memory, one-account rescore, floor.

Usage (from the repository root):

    python bench/scan.py                        # 20,000 accounts, about 2 million events
    python bench/scan.py --accounts 100000      # the target: about 10 million events
    DATABASE_URL=postgres://... python bench/scan.py --accounts 100000

It builds its own synthetic portfolio with bulk inserts (reused on later
runs; ``--regenerate`` rebuilds it) unless ``--use-demo`` asks for the
``aftersale demo`` generator. Then, in a fresh process so that peak memory is
the scan's own, it measures:

- the floor: each signal's bare aggregate SQL over all accounts, executed and
  fetched with nothing else (no Python scoring, no writes), summed;
- the engine's scan (``run_scan`` with the domain apps' alert conditions set
  aside): signals, scores, trend, snapshots, the engine's alert kinds; this is
  what the floor is compared with (``ratio``);
- the full scan, as ``aftersale scan`` runs it: the same plus every alert
  condition the domain apps registered (promise_overdue, sla_breach, ...);
- the peak resident memory of that process (``resource.getrusage``);
- one account rescored (``refresh_account(alerts=False)``), median of 25
  accounts, and the same with its alert conditions reconciled.

Wall and CPU seconds are both reported: on a shared machine the process's CPU
time is the steadier figure (on SQLite it includes the database's work; on
PostgreSQL only the client's).

SQLite files go to ``var/bench/``. Figures are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
HISTORY_DAYS = 3 * 365


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("EMAIL_URL", "dummy://")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersale.settings")
    import django

    django.setup()


# --- synthetic data -------------------------------------------------------------------


class Loader:
    """Fast inserts of plain tuples: COPY on PostgreSQL, executemany on SQLite.

    Every concrete column is written; columns a row does not set get the
    field's default, so new fields with defaults do not break the generator.
    """

    def __init__(self, model: type, now: datetime) -> None:
        from django.db import connection

        self.model = model
        self.connection = connection
        self.fields = [f for f in model._meta.concrete_fields]
        self.columns = [f.column for f in self.fields]
        self.defaults = {}
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            elif f.null:
                self.defaults[f.attname] = None
            else:
                self.defaults[f.attname] = f.get_default()
        self.rows: list[tuple[Any, ...]] = []
        self.sqlite = connection.vendor == "sqlite"
        self.names = [f.attname for f in self.fields]
        # One converter per column, chosen once: SQLite gets text for dates and decimals.
        self.converters = [self.converter(f) for f in self.fields]
        self.defaults = {k: (self.adapt(v) if v is not None else None) for k, v in self.defaults.items()}

    def converter(self, field: Any) -> Any:
        from django.db import models

        if isinstance(field, models.JSONField):
            return json.dumps
        if not self.sqlite:
            return None
        if isinstance(field, models.DateTimeField):
            # Every generated moment is UTC: the stored text is its first 19 characters.
            return lambda v: v.isoformat(" ")[:19]
        if isinstance(field, models.DateField):
            return date.isoformat
        if isinstance(field, models.DecimalField):
            return str
        if isinstance(field, models.BooleanField):
            return int
        return None

    def adapt(self, value: Any) -> Any:
        if isinstance(value, dict | list):
            return json.dumps(value)
        if not self.sqlite:
            return value
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat(" ")[:19]
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal | bool):
            return str(value) if isinstance(value, Decimal) else int(value)
        return value

    def add(self, **values: Any) -> None:
        defaults = self.defaults
        row = []
        for name, convert in zip(self.names, self.converters, strict=True):
            if name in values:
                value = values[name]
                row.append(convert(value) if convert is not None and value is not None else value)
            else:
                row.append(defaults[name])
        self.rows.append(tuple(row))

    def flush(self) -> None:
        if not self.rows:
            return
        table = self.connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(self.connection.ops.quote_name(c) for c in self.columns)
        with self.connection.cursor() as cursor:
            if self.sqlite:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", self.rows)  # noqa: S608
            else:
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
        self.rows = []


def generate(n_accounts: int, seed: int) -> int:
    """A portfolio of ``n_accounts`` with about a hundred events each; returns the event count."""
    from django.db import connection, transaction

    from aftersale.accounts.models import Account, AccountKind, Industry, Tier
    from aftersale.commerce.models import Channel, Order, Product, ProductKind
    from aftersale.core.enums import Department, Direction
    from aftersale.engagement.models import (
        TOPIC_CLASSES,
        Idea,
        IdeaStatus,
        InfoKind,
        InfoShare,
        InitiatedBy,
        Topic,
        Touchpoint,
        TouchpointKind,
        TouchpointParticipant,
    )
    from aftersale.promises.models import Promise, PromiseStatus, Stage
    from aftersale.reviews.models import (
        Attribute,
        CompetitorRating,
        JointPlan,
        JointPlanItem,
        Outcome,
        RelationshipReview,
        ReviewStatus,
        Side,
        TrustRating,
    )
    from aftersale.service.models import Asset, CaseKind, CaseStatus, MaintenancePlan, ServiceCase, WorkLog
    from aftersale.staff.models import Role, User

    rng = random.Random(seed)
    start = NOW - timedelta(days=HISTORY_DAYS)
    departments = [d.value for d in Department if d != Department.PURCHASING]
    topics = [t.value for t in Topic]
    # Enum value lists, read once (``.values`` rebuilds the list on every access).
    industries, tiers = Industry.values, Tier.values
    tp_kinds, initiators = TouchpointKind.values, InitiatedBy.values
    case_kinds, stages, directions = CaseKind.values, Stage.values, Direction.values
    idea_statuses, info_kinds, outcomes, attributes, sides = (
        IdeaStatus.values, InfoKind.values, Outcome.values, Attribute.values, Side.values)
    service_departments = list(Department.technical())
    with transaction.atomic():
        owners = [
            User.objects.create_user(email=f"owner{i}@bench.test", name=f"Owner {i}",
                                     department=Department.SALES, role=Role.MEMBER)
            for i in range(50)
        ]
        products = [
            Product.objects.create(name=f"Machine {i}", kind=ProductKind.EQUIPMENT) for i in range(20)
        ]
    # Parents before children: loaders are flushed in this order.
    loaders = {m: Loader(m, NOW) for m in (
        Account, Asset, MaintenancePlan, Order, Touchpoint, TouchpointParticipant, ServiceCase, WorkLog,
        Promise, Idea, InfoShare, TrustRating, RelationshipReview, CompetitorRating, JointPlan, JointPlanItem,
    )}
    ids = dict.fromkeys(loaders, 0)

    def next_id(model: type) -> int:
        ids[model] += 1
        return ids[model]

    def moments(gap_days: float, stop: datetime) -> list[datetime]:
        out, t = [], start + timedelta(days=rng.uniform(0, gap_days))
        while t < stop:
            out.append(t)
            t += timedelta(days=rng.expovariate(1 / gap_days))
        return out

    events = 0
    for i in range(n_accounts):
        account_id = next_id(Account)
        owner = rng.choice(owners)
        loaders[Account].add(
            id=account_id, external_id=f"B-{account_id}", name=f"Account {account_id}",
            kind=AccountKind.CUSTOMER, industry=rng.choice(industries), tier=rng.choice(tiers),
            owner_id=owner.pk,
        )
        # A fifth of the accounts went quiet at some point: the silence the engine must see.
        stop = NOW - timedelta(days=rng.uniform(30, 600)) if rng.random() < 0.2 else NOW
        portal_bias = rng.random()
        for t in moments(rng.uniform(25, 110), stop):
            oid = next_id(Order)
            by_hand = rng.choice([Channel.REP, Channel.PHONE])
            channel = Channel.PORTAL if rng.random() < portal_bias else by_hand
            loaders[Order].add(id=oid, external_id=f"B-O{oid}", account_id=account_id, placed_at=t,
                               total=Decimal(rng.randint(100, 100000)), channel=channel)
            events += 1
        tx_bias = rng.random()
        for t in moments(rng.uniform(25, 80), stop):
            tid = next_id(Touchpoint)
            topic = rng.choice(topics[:4]) if rng.random() < tx_bias * 0.6 else rng.choice(topics[4:])
            loaders[Touchpoint].add(
                id=tid, external_id=f"B-T{tid}", account_id=account_id, occurred_at=t,
                kind=rng.choice(tp_kinds), initiated_by=rng.choice(initiators),
                minutes=rng.choice([15, 30, 45, 60, 90, 120]), topic=topic, topic_class=TOPIC_CLASSES[topic],
            )
            for department in rng.sample(departments, rng.choice([1, 1, 2])):
                loaders[TouchpointParticipant].add(id=next_id(TouchpointParticipant), touchpoint_id=tid,
                                                   department=department)
                events += 1
            events += 1
        asset_id = None
        if rng.random() < 0.7:
            asset_id = next_id(Asset)
            installed = (start + timedelta(days=rng.uniform(0, 700))).date()
            loaders[Asset].add(id=asset_id, external_id=f"B-A{asset_id}", account_id=account_id,
                               product_id=rng.choice(products).pk, serial=f"S{asset_id}",
                               installed_at=installed)
            if rng.random() < 0.6:
                due = NOW.date() + timedelta(days=rng.randint(-120, 90))
                loaders[MaintenancePlan].add(id=next_id(MaintenancePlan), asset_id=asset_id, name="Service",
                                             interval_days=90, next_due_at=due,
                                             last_done_at=due - timedelta(days=90), created_at=start)
        for t in moments(rng.uniform(90, 400), NOW):
            cid = next_id(ServiceCase)
            responded = t + timedelta(hours=rng.uniform(1, 20))
            resolved = t + timedelta(days=rng.uniform(0.5, 8))
            is_open = resolved > NOW or rng.random() < 0.03
            loaders[ServiceCase].add(
                id=cid, external_id=f"B-C{cid}", account_id=account_id, asset_id=asset_id,
                kind=rng.choice(case_kinds), is_complaint=rng.random() < 0.2, title="Case",
                opened_at=t, first_response_at=min(responded, NOW) if responded <= NOW else None,
                response_due_at=t + timedelta(hours=8), resolution_due_at=t + timedelta(days=4),
                resolved_at=None if is_open else resolved,
                status=CaseStatus.IN_PROGRESS if is_open else CaseStatus.RESOLVED,
            )
            events += 1
            for _ in range(rng.choice([0, 1, 1, 2])):
                loaders[WorkLog].add(
                    id=next_id(WorkLog), account_id=account_id, case_id=cid, user_id=owner.pk,
                    department=rng.choice(service_departments),
                    worked_on=(t + timedelta(days=1)).date(), hours=Decimal(rng.randint(1, 8)),
                    on_site=rng.random() < 0.5,
                )
                events += 1
        for t in moments(rng.uniform(120, 360), NOW):
            due = (t + timedelta(days=rng.randint(7, 90))).date()
            roll = rng.random()
            status = (
                PromiseStatus.OPEN if due > NOW.date() or roll < 0.1
                else PromiseStatus.KEPT if roll < 0.7
                else PromiseStatus.LATE if roll < 0.9
                else PromiseStatus.BROKEN
            )
            closed = None if status == PromiseStatus.OPEN else min(due + timedelta(days=rng.randint(-5, 20)),
                                                                   NOW.date())
            closed = max(closed, t.date()) if closed else None
            pid = next_id(Promise)
            loaders[Promise].add(
                id=pid, external_id=f"B-P{pid}", account_id=account_id, direction=Direction.FROM_US,
                description="Promise", stage=rng.choice(stages), made_at=t.date(), made_by_id=owner.pk,
                made_by_department=Department.SALES, due_at=due, delivery_owner_id=owner.pk,
                delivery_department=Department.SERVICE, status=status, closed_at=closed,
                delivered_at=closed if status in (PromiseStatus.KEPT, PromiseStatus.LATE) else None,
            )
            events += 1
        for t in moments(rng.uniform(200, 900), NOW):
            iid = next_id(Idea)
            loaders[Idea].add(id=iid, external_id=f"B-I{iid}", account_id=account_id,
                              direction=rng.choice(directions), title="Idea", proposed_at=t.date(),
                              status=rng.choice(idea_statuses), decided_at=t.date())
            events += 1
        for t in moments(rng.uniform(200, 900), NOW):
            loaders[InfoShare].add(id=next_id(InfoShare), account_id=account_id,
                                   direction=rng.choice(directions), kind=rng.choice(info_kinds),
                                   shared_at=t.date(), description="Shared")
            events += 1
        for t in moments(rng.uniform(200, 700), NOW):
            loaders[TrustRating].add(id=next_id(TrustRating), account_id=account_id,
                                     direction=rng.choice(directions), rated_at=t.date(),
                                     trust=Decimal(rng.randint(10, 50)) / 10)
            events += 1
        for t in moments(rng.uniform(300, 1200), NOW):
            rid = next_id(RelationshipReview)
            loaders[RelationshipReview].add(
                id=rid, account_id=account_id, reviewer_id=owner.pk, held_at=t.date(),
                status=ReviewStatus.COMPLETED, outcome=rng.choice(outcomes),
                promises_kept=rng.random() < 0.7, neglect_found=rng.random() < 0.3,
            )
            for attribute in rng.sample(attributes, 2):
                loaders[CompetitorRating].add(id=next_id(CompetitorRating), review_id=rid,
                                              attribute=attribute, score=rng.randint(1, 5))
                events += 1
            events += 1
        if rng.random() < 0.4:
            jid = next_id(JointPlan)
            begin = (NOW - timedelta(days=rng.randint(30, 500))).date()
            touched = NOW - timedelta(days=rng.randint(0, 300))
            loaders[JointPlan].add(id=jid, account_id=account_id, title="Plan", period_start=begin,
                                   period_end=begin + timedelta(days=365), created_at=touched,
                                   updated_at=touched)
            for _ in range(rng.randint(1, 4)):
                loaders[JointPlanItem].add(id=next_id(JointPlanItem), plan_id=jid, title="Item",
                                           owner_side=rng.choice(sides), created_at=touched,
                                           updated_at=touched)
                events += 1
            events += 1
        if i % 1000 == 999:
            with transaction.atomic():
                for loader in loaders.values():
                    loader.flush()
        if i % 10_000 == 9_999:
            print(f"  {i + 1} accounts, {events} events", flush=True)
    with transaction.atomic():
        for loader in loaders.values():
            loader.flush()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rows were copied with explicit ids: move the sequences past them.
            for model in loaders:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
                )
        cursor.execute("ANALYZE")
    return events


def prepare(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from aftersale.accounts.models import Account

    call_command("migrate", verbosity=0)
    existing = Account.objects.count()
    if existing >= args.accounts and not args.regenerate:
        print(f"Reusing {existing} accounts")
        return
    if existing:
        raise SystemExit(
            f"The benchmark database already holds {existing} accounts; delete it (or use a new "
            "DATABASE_URL) to generate a different portfolio."
        )
    started = time.perf_counter()
    if args.use_demo:
        call_command("demo", accounts=args.accounts, seed=args.seed, no_serve=True)
        print(f"Demo portfolio in {time.perf_counter() - started:.0f} s")
        return
    print(f"Generating {args.accounts} accounts ...", flush=True)
    events = generate(args.accounts, args.seed)
    print(f"Generated {events} events in {time.perf_counter() - started:.0f} s", flush=True)


# --- measurement ----------------------------------------------------------------------


def record_signal_sql(as_of: datetime) -> list[tuple[str, str, Any]]:
    """Each signal's one aggregate query over all accounts, as (signal, sql, params)."""
    from django.db import connection

    from aftersale.health.evaluate import make_context
    from aftersale.health.signals import registry

    ctx = make_context(as_of, fits={})
    recorded: list[tuple[str, str, Any]] = []
    current = {"name": ""}

    def recorder(execute, sql, params, many, context):
        recorded.append((current["name"], sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(recorder):
        for definition in registry.all():
            current["name"] = definition.name
            definition.compute(ctx, None)
    return recorded


def floor_seconds(queries: list[tuple[str, str, Any]]) -> tuple[float, float, dict[str, float]]:
    """Wall seconds, this process's CPU seconds, and wall seconds per signal."""
    from django.db import connection

    per_signal: dict[str, float] = {}
    cpu = time.process_time()
    for name, sql, params in queries:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()
        per_signal[name] = per_signal.get(name, 0.0) + time.perf_counter() - started
    return sum(per_signal.values()), time.process_time() - cpu, per_signal


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    from aftersale.accounts.models import Account
    from aftersale.alerts import registry as alert_registry
    from aftersale.health.scan import refresh_account, run_scan

    global NOW  # noqa: PLW0603 - the measured date, as the parent process was asked
    if args.as_of:
        NOW = datetime.combine(date.fromisoformat(args.as_of), datetime.min.time(), UTC).replace(hour=12)
    queries = record_signal_sql(NOW)
    if connection.vendor == "postgresql":
        # As the scan runs them (see evaluate.compute_signals): without JIT compilation.
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
    floor_seconds(queries)  # warm the caches the same way for both measurements
    floor, floor_cpu, per_signal = floor_seconds(queries)
    # The engine's own work (what the floor covers): signals, scores, trend, snapshots
    # and the engine's alert kinds, with the domain apps' alert conditions set aside.
    conditions = alert_registry.registered()
    alert_registry._conditions.clear()
    started, cpu = time.perf_counter(), time.process_time()
    run = run_scan(NOW, part_size=args.part_size)
    scan, scan_cpu = time.perf_counter() - started, time.process_time() - cpu
    alert_registry._conditions.update(conditions)
    # The whole scan as `aftersale scan` runs it: the same plus every registered condition.
    started, cpu = time.perf_counter(), time.process_time()
    run_scan(NOW, part_size=args.part_size)
    full, full_cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rng = random.Random(args.seed)
    ids = list(Account.objects.values_list("pk", flat=True))
    one, one_cpu, with_alerts = [], [], []
    for account_id in rng.sample(ids, min(25, len(ids))):
        t, c = time.perf_counter(), time.process_time()
        refresh_account(account_id, NOW, alerts=False)
        one.append(time.perf_counter() - t)
        one_cpu.append(time.process_time() - c)
        t = time.perf_counter()
        refresh_account(account_id, NOW)
        with_alerts.append(time.perf_counter() - t)
    return {
        "database": connection.vendor,
        "accounts": run.accounts,
        "events": event_count(),
        "scan_seconds": round(scan, 2),
        "floor_seconds": round(floor, 2),
        "ratio": round(scan / floor, 2) if floor else None,
        # This process's CPU time: on a shared machine the steadier figure (on SQLite it
        # includes the database's work; on PostgreSQL only the client's).
        "scan_cpu_seconds": round(scan_cpu, 2),
        "floor_cpu_seconds": round(floor_cpu, 2),
        "full_scan_seconds": round(full, 2),
        "full_scan_cpu_seconds": round(full_cpu, 2),
        "alert_conditions": sorted(conditions),
        "peak_memory_mb": round(peak_mb),
        "one_account_ms": round(1000 * statistics.median(one), 1),
        "one_account_cpu_ms": round(1000 * statistics.median(one_cpu), 1),
        # The same plus every registered alert condition for that account (domain apps').
        "one_account_with_alerts_ms": round(1000 * statistics.median(with_alerts), 1),
        "as_of": NOW.isoformat(),
        "load_average": os.getloadavg()[0],
        "floor_by_signal": {k: round(v, 2) for k, v in sorted(per_signal.items(), key=lambda kv: -kv[1])},
        "bands": run.summary.get("bands"),
    }


def event_count() -> int:
    from aftersale.commerce.models import Order
    from aftersale.engagement.models import Idea, InfoShare, Touchpoint, TouchpointParticipant
    from aftersale.promises.models import Promise
    from aftersale.reviews.models import (
        CompetitorRating,
        JointPlan,
        JointPlanItem,
        RelationshipReview,
        TrustRating,
    )
    from aftersale.service.models import ServiceCase, WorkLog

    models = (Order, Touchpoint, TouchpointParticipant, ServiceCase, WorkLog, Promise, Idea, InfoShare,
              TrustRating, RelationshipReview, CompetitorRating, JointPlan, JointPlanItem)
    return sum(m.objects.count() for m in models)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--part-size", type=int, default=10_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--use-demo", action="store_true", help="build the data with `aftersale demo`")
    parser.add_argument("--as-of", help="scan date (YYYY-MM-DD; default 2026-06-30, the synthetic data's "
                        "end; use the demo's date with --use-demo)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    default_db = f"sqlite:///{ROOT / 'var' / 'bench' / f'scan-{args.accounts}.sqlite3'}"
    database_url = os.environ.get("DATABASE_URL") or default_db
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    setup(database_url)
    if args.measure:
        print(json.dumps(measure(args)))
        return
    prepare(args)
    load_before = os.getloadavg()[0]
    # A fresh process, so that its peak memory is the scan's and not the generator's.
    child = subprocess.run(
        [sys.executable, __file__, "--measure", "--accounts", str(args.accounts), "--seed", str(args.seed),
         "--part-size", str(args.part_size), *(["--as-of", args.as_of] if args.as_of else [])],
        env={**os.environ, "DATABASE_URL": database_url}, capture_output=True, text=True, check=False,
    )
    if child.returncode:
        sys.stderr.write(child.stderr)
        raise SystemExit(child.returncode)
    result = json.loads(child.stdout.strip().splitlines()[-1])
    result["machine"] = f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    result["date"] = date.today().isoformat()
    result["load_average_before"] = load_before
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
