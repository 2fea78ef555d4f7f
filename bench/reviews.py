"""Benchmark: the review_due condition and the trust and partnership measures on a large portfolio.

Run from the repository root (never part of the test suite):

    DEBUG=1 PYTHONPATH=src python bench/reviews.py [--accounts 20000] [--touchpoints 10]

It builds a throw-away SQLite database in var/bench-reviews.sqlite3 (or uses
DATABASE_URL if set, which must point at a database you can wipe), fills it
with reviews, touchpoints, trust ratings, ideas and information shared, and
prints the time of each set-based read.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from _common import setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--touchpoints", type=int, default=10, help="touchpoints per account")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--reuse", action="store_true", help="time the database left by a previous run")
    args = parser.parse_args()

    db = Path("var/bench-reviews.sqlite3").resolve()
    setup_django(db, fresh=not args.reuse)
    from django.core.management import call_command
    from django.db import connection

    as_of = date(2026, 6, 30)
    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        build(args.accounts, args.touchpoints, args.seed, as_of)
        print(f"built in {time.perf_counter() - started:.1f} s")

    from aftersale.accounts.models import Account
    from aftersale.engagement.models import Touchpoint
    from aftersale.reviews.alerts import review_due
    from aftersale.reviews.evidence import gather_evidence
    from aftersale.reviews.measures import (
        exchange,
        face_time,
        face_time_by_quarter,
        last_reviews,
        staff_time,
        trust_measures,
    )

    counts = f"{Account.objects.count()} accounts, {Touchpoint.objects.count()} touchpoints"
    print(f"{counts}, {connection.vendor}")
    moment = datetime(2026, 6, 30, 12, tzinfo=UTC)

    def timed(label: str, fn) -> None:
        fn()  # warm the page cache
        best = min(_time(fn) for _ in range(3))
        print(f"{label:<60} {best * 1000:9.0f} ms")

    one = Account.objects.order_by("pk").first()
    timed("review_due(as_of) for every account", lambda: review_due(moment, None))
    timed("last_reviews(as_of) with competitor gaps", lambda: last_reviews(as_of))
    timed("face_time(as_of), 12 months", lambda: face_time(as_of))
    timed("face_time_by_quarter(as_of, pooled=True), 8 quarters",
          lambda: face_time_by_quarter(as_of, pooled=True))
    timed("staff_time(as_of)", lambda: staff_time(as_of))
    timed("exchange(as_of)", lambda: exchange(as_of))
    timed("trust_measures(as_of)", lambda: trust_measures(as_of))
    timed("gather_evidence([one account], as_of)", lambda: gather_evidence([one], as_of))


def _time(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def build(n_accounts: int, per_account: int, seed: int, as_of: date) -> None:
    from django.db import transaction

    from aftersale.accounts.models import Account, Competitor, Tier
    from aftersale.core.enums import Department, Direction
    from aftersale.engagement.models import (
        TOPIC_CLASSES,
        Idea,
        InfoShare,
        Topic,
        Touchpoint,
        TouchpointParticipant,
    )
    from aftersale.reviews.models import (
        Attribute,
        CompetitorRating,
        RelationshipReview,
        ReviewStatus,
        TrustRating,
    )
    from aftersale.staff.models import Role, User

    rng = random.Random(seed)
    departments = [Department.SALES, Department.ENGINEERING, Department.PRODUCTION, Department.SERVICE]
    with transaction.atomic():
        staff = User.objects.bulk_create(
            User(email=f"s{i}@bench.test", name=f"Staff {i}", role=Role.MEMBER,
                 department=departments[i % len(departments)])
            for i in range(100)
        )
        rivals = Competitor.objects.bulk_create(Competitor(name=f"Rival {i}") for i in range(20))
        accounts = Account.objects.bulk_create(
            Account(external_id=f"B-{i}", name=f"Account {i}", owner=staff[i % len(staff)],
                    tier=rng.choice(Tier.values),
                    customer_since=as_of - timedelta(days=rng.randint(100, 2000)))
            for i in range(n_accounts)
        )
        touchpoints, reviews, ratings, ideas, shares = [], [], [], [], []
        topics = list(Topic.values)
        for account in accounts:
            for _ in range(per_account):
                topic = rng.choice(topics)
                touchpoints.append(Touchpoint(
                    account=account, occurred_at=datetime.combine(
                        as_of - timedelta(days=rng.randint(0, 700)), datetime.min.time(), UTC),
                    kind="meeting", initiated_by="vendor", minutes=rng.randint(15, 180), topic=topic,
                    topic_class=TOPIC_CLASSES[topic],
                ))
            for k in range(2):
                reviews.append(RelationshipReview(
                    account=account, reviewer=account.owner, status=ReviewStatus.COMPLETED,
                    held_at=as_of - timedelta(days=rng.randint(30, 400)), outcome="steady",
                ))
                ratings_direction = Direction.TO_US if k else Direction.FROM_US
                ratings.append(TrustRating(
                    account=account, direction=ratings_direction,
                    rated_at=as_of - timedelta(days=rng.randint(0, 600)),
                    trust=Decimal(rng.randint(100, 500)) / 100,
                ))
            ideas.append(Idea(account=account, direction=rng.choice(Direction.values), title="Idea",
                              proposed_at=as_of - timedelta(days=rng.randint(0, 500))))
            shares.append(InfoShare(account=account, direction=rng.choice(Direction.values), kind="forecast",
                                    shared_at=as_of - timedelta(days=rng.randint(0, 500)), description="x"))
        Touchpoint.objects.bulk_create(touchpoints, batch_size=5000)
        TouchpointParticipant.objects.bulk_create(
            (TouchpointParticipant(touchpoint=t, user=staff[i % len(staff)],
                                   department=staff[i % len(staff)].department)
             for i, t in enumerate(touchpoints)),
            batch_size=5000,
        )
        RelationshipReview.objects.bulk_create(reviews, batch_size=5000)
        CompetitorRating.objects.bulk_create(
            (CompetitorRating(review=r, competitor=who, attribute=attribute, score=rng.randint(1, 5))
             for r in reviews for who in (None, rng.choice(rivals))
             for attribute in (Attribute.PRICE, Attribute.QUALITY, Attribute.SERVICE)),
            batch_size=5000,
        )
        TrustRating.objects.bulk_create(ratings, batch_size=5000)
        Idea.objects.bulk_create(ideas, batch_size=5000)
        InfoShare.objects.bulk_create(shares, batch_size=5000)


if __name__ == "__main__":
    main()
