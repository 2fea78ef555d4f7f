"""The evidence a demo review was held on: the review app's own ``gather_evidence``,
run for each review as of its date once the history is in.

A review's form is pre-filled from the evidence of its period (the promises that
fell due, open requests, overdue maintenance, competitors), and a completed
review keeps it. The demo's reviews are written in bulk, so their evidence is
gathered afterwards, one call per review date for every account reviewed that
day. A generated account's answers to "were our promises fully kept?" and
"did we neglect anything?" are then those the evidence gives; the stories keep
their hand-written answers. Question 1's trend comes from the health
snapshots, which do not exist yet when the demo is loaded: it stays empty.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from aftersale.accounts.models import Account
from aftersale.demo.catalogue import PREFIX
from aftersale.reviews.evidence import gather_evidence
from aftersale.reviews.models import RelationshipReview, ReviewStatus

GENERATED = f"{PREFIX}A-"
BATCH = 500


def attach_evidence(*, generated: bool = True) -> int:
    """Store the evidence on every completed demo review (with ``generated`` false, on the
    stories' and suppliers' only); returns how many reviews got it."""
    reviews = RelationshipReview.objects.filter(
        status=ReviewStatus.COMPLETED, account__external_id__startswith=PREFIX
    )
    if not generated:
        reviews = reviews.exclude(account__external_id__startswith=GENERATED)
    by_day: dict[date, list[tuple[int, int]]] = defaultdict(list)
    rows = reviews.order_by("held_at", "pk").values_list("pk", "account_id", "held_at")
    for pk, account_id, held_at in rows:
        by_day[held_at].append((pk, account_id))
    ids = {account_id for items in by_day.values() for _pk, account_id in items}
    accounts = Account.objects.in_bulk(ids)
    answered = set(Account.objects.filter(pk__in=ids, external_id__startswith=GENERATED)
                   .values_list("pk", flat=True))
    changed: list[RelationshipReview] = []
    for day, items in sorted(by_day.items()):
        evidence = gather_evidence([accounts[account_id] for _pk, account_id in items], day)
        for pk, account_id in items:
            found = evidence[account_id]
            review = RelationshipReview(pk=pk, account_id=account_id, evidence=found)
            if account_id in answered:
                kept = found["promises"]["fully_kept"]
                review.promises_kept = True if kept is None else kept
                review.neglect_found = found["neglect"]["found"]
            changed.append(review)
    story = [r for r in changed if r.account_id not in answered]
    generated_reviews = [r for r in changed if r.account_id in answered]
    RelationshipReview.objects.bulk_update(story, ["evidence"], batch_size=BATCH)
    RelationshipReview.objects.bulk_update(
        generated_reviews, ["evidence", "promises_kept", "neglect_found"], batch_size=BATCH
    )
    return len(changed)
