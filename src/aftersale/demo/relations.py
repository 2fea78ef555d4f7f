"""Generated relationship records of a chunk: ideas, shared information, trust
surveys, reviews with competitor ratings, joint plans and expectations.

All of them follow the account's hidden ``quality``: good relationships trade
more ideas and information (P12, P19), rate each other higher (P16) and
review as improving (P9).
"""

from __future__ import annotations

import json

import numpy as np

from aftersale.demo import texts
from aftersale.demo.activity import people
from aftersale.demo.portfolio import HISTORY_DAYS, Chunk, World, quality_on
from aftersale.demo.sampling import choose, member, nullable, quarter_steps, renewal, round_vnd, sigmoid
from aftersale.engagement.models import Idea, InfoKind, InfoShare
from aftersale.reviews.conf import cadence_for
from aftersale.reviews.models import (
    Attribute,
    CompetitorRating,
    Expectation,
    JointPlan,
    JointPlanItem,
    RelationshipReview,
    TrustRating,
)

# A review that slips past its cadence (log-odds: intercept, per unit of quality).
REVIEW_MISSED_LOGIT = (-2.3, -1.0)
IDEA_AREAS = ["design", "manufacturing", "process", "distribution", "other"]
ATTRIBUTES = [a.value for a in Attribute]


def write_ideas(rng: np.random.Generator, world: World, chunk: Chunk) -> None:
    rate = 2.0 / HISTORY_DAYS * np.exp(0.6 * chunk.quality) * np.where(chunk.tier == "standard", 1, 2)
    row, day = renewal(rng, chunk.start, chunk.contact_end, rate)
    total = len(row)
    if not total:
        return
    as_of = world.as_of
    proposed = world.calendar.business_days(np.floor(day).astype(np.int64), as_of)
    ours = rng.random(total) < 0.5
    direction = np.where(ours, "from_us", "to_us")
    user = people(rng, world, chunk, row, choose(rng, [2, 3, 4, 1], [0.4, 0.2, 0.2, 0.2], total), 0.8)
    contact = member(rng, chunk.contact_first, chunk.contact_count, row)
    decided = proposed < as_of - 30
    adopted = decided & (rng.random(total) < sigmoid(0.3 + 0.6 * chunk.quality[row]))
    status = np.where(adopted, "adopted", np.where(decided, "rejected", "proposed"))
    decided_at = np.minimum(proposed + rng.integers(7, 61, total), as_of - 1).astype("datetime64[D]")
    decided_at[~decided] = np.datetime64("NaT")
    value = round_vnd(rng.lognormal(np.log(60e6), 0.8, total), 1_000_000)
    ids = np.arange(total) + world.writer.allocate(Idea, total)
    world.writer.insert(Idea, {
        "id": ids,
        "external_id": [f"DEMO-I-{k:07d}" for k in ids.tolist()],
        "account_id": chunk.ids[row],
        "direction": direction,
        "area": choose(rng, IDEA_AREAS, [0.3, 0.25, 0.25, 0.1, 0.1], total),
        "title": texts.pick(rng, texts.IDEAS, direction, chunk.vietnamese[row]),
        "description": "",
        "proposed_at": proposed.astype("datetime64[D]"),
        "proposed_by_user_id": nullable(user, ours),
        "proposed_by_contact_id": nullable(contact, ~ours & (contact >= 0)),
        "status": status,
        "decided_at": decided_at,
        "estimated_value": nullable(value, status != "rejected"),
        "currency": "VND",
    })


def write_info_shares(rng: np.random.Generator, world: World, chunk: Chunk) -> None:
    rate = 1.5 / HISTORY_DAYS * np.exp(0.5 * chunk.quality)
    row, day = renewal(rng, chunk.start, chunk.contact_end, rate)
    total = len(row)
    if not total:
        return
    kind = choose(rng, [k.value for k in InfoKind], [0.3, 0.2, 0.1, 0.2, 0.1, 0.1], total)
    world.writer.insert(InfoShare, {
        "id": np.arange(total) + world.writer.allocate(InfoShare, total),
        "account_id": chunk.ids[row],
        "direction": np.where(rng.random(total) < 0.5, "from_us", "to_us"),
        "kind": kind,
        "shared_at": world.calendar.business_days(np.floor(day).astype(np.int64), world.as_of).astype(
            "datetime64[D]"
        ),
        "description": texts.pick(rng, texts.INFO, kind, chunk.vietnamese[row]),
        "is_confidential": (kind == "confidential") | ((rng.random(total) < 0.1) & (chunk.quality[row] > 0)),
        "recorded_by_id": chunk.owner[row],
    })


def write_trust(rng: np.random.Generator, world: World, chunk: Chunk) -> None:
    """Survey rounds in the last two years; each asks both sides (P16)."""
    n = len(chunk)
    rounds = np.where(chunk.tier == "standard", rng.poisson(1.0, n), 1 + rng.poisson(1.5, n))
    rounds = np.where(chunk.end < world.as_of, 0, rounds)
    row = np.repeat(np.arange(len(chunk)), rounds)
    n = len(row)
    if not n:
        return
    earliest = np.maximum(chunk.start[row], world.as_of - 730)
    day = (earliest + rng.random(n) * (world.as_of - 1 - earliest)).astype(np.int64)
    quality = quality_on(chunk, row, day)
    of_us = quarter_steps(3.4 + 0.75 * quality + rng.normal(0, 0.35, n), 1, 5)
    of_them = quarter_steps(3.5 + 0.6 * quality + rng.normal(0, 0.4, n), 1, 5)
    satisfaction = np.clip(np.round(6.5 + 1.5 * quality + rng.normal(0, 1, n)), 0, 10).astype(np.int64)
    contact = member(rng, chunk.contact_first, chunk.contact_count, row)
    answers = [
        json.dumps({"keeps_promises": int(a), "candid": int(b), "would_not_exploit": int(c)})
        for a, b, c in np.clip(np.round(np.stack([of_us, of_us, of_us], 1) + rng.normal(0, 0.5, (n, 3))),
                               1, 5).tolist()
    ]
    world.writer.insert(TrustRating, {
        "id": np.arange(2 * n) + world.writer.allocate(TrustRating, 2 * n),
        "account_id": np.concatenate((chunk.ids[row], chunk.ids[row])),
        "direction": ["to_us"] * n + ["from_us"] * n,
        "rated_at": np.concatenate((day, day)).astype("datetime64[D]"),
        "rated_by_user_id": [None] * n + chunk.owner[row].tolist(),
        "rated_by_contact_id": nullable(contact, contact >= 0) + [None] * n,
        "trust": np.concatenate((of_us, of_them)),
        "satisfaction": satisfaction.tolist() + [None] * n,
        "answers": answers + ["{}"] * n,
        "comment": "",
    })


def write_reviews(rng: np.random.Generator, world: World, chunk: Chunk) -> None:
    """Periodic reviews over the last 18 months; the latest carries competitor ratings (P9)."""
    # The configured cadence, so the demo's reviews fall due as the alert expects.
    cadence = np.array([cadence_for(t) for t in chunk.tier.tolist()], dtype=np.int64)
    # Reviews stop when a defecting account starts to decline (nobody looks) or leaves.
    stop = np.minimum(np.minimum(world.as_of, np.floor(chunk.end)), np.floor(chunk.decline_from))
    stop = stop.astype(np.int64) - 1
    first = np.maximum(np.ceil(chunk.start), world.as_of - 540).astype(np.int64)
    # Up to one cadence since the last review, or, for a missed review, up to five
    # months more: worse relationships are the ones whose reviews slip.
    missed = rng.random(len(chunk)) < sigmoid(REVIEW_MISSED_LOGIT[0] + REVIEW_MISSED_LOGIT[1] * chunk.quality)
    phase = np.where(missed, cadence + 10 + rng.random(len(chunk)) * 140, rng.random(len(chunk)) * cadence)
    # Every account has had at least one review (a new one at its start), so none
    # falls due years before the demo's history.
    last = np.maximum(stop - phase.astype(np.int64), np.floor(chunk.start)).astype(np.int64)
    count = np.maximum((last - first) // cadence + 1, 1)
    row = np.repeat(np.arange(len(chunk)), count)
    n = len(row)
    if not n:
        return
    step = np.arange(n) - np.repeat(np.cumsum(count) - count, count)
    held = last[row] - step * cadence[row]
    trend = quality_on(chunk, row, held) + rng.normal(0, 0.7, n)
    outcome = np.where(trend > 0.6, "improving", np.where(trend < -0.6, "deteriorating", "steady"))
    vietnamese = chunk.vietnamese[row].astype(np.int64)
    competitor = chunk.competitor[row]
    notes = np.array([
        ["", ""],
        ["The competitor quoted lower prices; we still lead on service.",
         "Đối thủ chào giá thấp hơn; dịch vụ của ta vẫn tốt hơn."],
    ], dtype=object)[(competitor >= 0).astype(np.int64), vietnamese]
    ids = np.arange(n) + world.writer.allocate(RelationshipReview, n)
    world.writer.insert(RelationshipReview, {
        "id": ids,
        "account_id": chunk.ids[row],
        "reviewer_id": chunk.owner[row],
        "held_at": held.astype("datetime64[D]"),
        "period_start": (held - cadence[row]).astype("datetime64[D]"),
        "status": "completed",
        "outcome": outcome,
        "trend_notes": [texts.REVIEW_NOTES[o][v] for o, v in zip(outcome.tolist(), vietnamese.tolist(),
                                                                   strict=True)],
        "promises_kept": rng.random(n) < sigmoid(1.0 + chunk.quality[row]),
        "promises_notes": "",
        "neglect_found": rng.random(n) < sigmoid(-1.2 - chunk.quality[row]),
        "neglect_notes": "",
        "competitor_notes": notes,
        "evidence": "{}",
        "next_due_at": (held + cadence[row]).astype("datetime64[D]"),
    })
    latest = step == 0
    _write_ratings(rng, world, ids[latest], chunk.quality[row][latest], competitor[latest])


def _write_ratings(
    rng: np.random.Generator, world: World, reviews: np.ndarray, quality: np.ndarray,
    competitor: np.ndarray,
) -> None:
    k = len(ATTRIBUTES)
    us_review = np.repeat(reviews, k)
    us_attr = np.tile(np.arange(k), len(reviews))
    us_score = np.clip(np.round(3.5 + 0.6 * np.repeat(quality, k) + rng.normal(0, 0.6, len(us_review))), 1, 5)
    rival = competitor >= 0
    them_review = np.repeat(reviews[rival], k)
    them_attr = np.tile(np.arange(k), int(rival.sum()))
    price = np.array(ATTRIBUTES) == "price"
    them_score = np.clip(np.round(3.3 + 0.8 * price[them_attr] + rng.normal(0, 0.8, len(them_review))), 1, 5)
    total = len(us_review) + len(them_review)
    world.writer.insert(CompetitorRating, {
        "id": np.arange(total) + world.writer.allocate(CompetitorRating, total),
        "review_id": np.concatenate((us_review, them_review)),
        "competitor_id": [None] * len(us_review) + np.repeat(competitor[rival], k).tolist(),
        "attribute": np.array(ATTRIBUTES, dtype=object)[np.concatenate((us_attr, them_attr))],
        "score": np.concatenate((us_score, them_score)).astype(np.int64),
    })


def write_plans(rng: np.random.Generator, world: World, chunk: Chunk) -> None:
    """This year's joint plan for key accounts and a few others (P12)."""
    planned = ((chunk.tier != "standard") | (rng.random(len(chunk)) < 0.1)) & (chunk.end >= world.as_of)
    plan_row = np.flatnonzero(planned)
    n = len(plan_row)
    if not n:
        return
    year = np.datetime64(int(world.as_of), "D").astype("datetime64[Y]")
    start = int(year.astype("datetime64[D]").astype(np.int64))
    end = int((year + 1).astype("datetime64[D]").astype(np.int64)) - 1
    plan_ids = np.arange(n) + world.writer.allocate(JointPlan, n)
    label = int(year.astype(int) + 1970)
    world.writer.insert(JointPlan, {
        "id": plan_ids,
        "account_id": chunk.ids[plan_row],
        "title": [f"Kế hoạch hợp tác {label}" if v else f"Joint plan {label}"
                  for v in chunk.vietnamese[plan_row].tolist()],
        "period_start": np.full(n, start).astype("datetime64[D]"),
        "period_end": np.full(n, end).astype("datetime64[D]"),
        "shared_with_customer": np.ones(n, dtype=bool),
    })
    count = 3 + rng.integers(0, 3, n)
    item_plan = np.repeat(np.arange(n), count)
    m = len(item_plan)
    row = plan_row[item_plan]
    ours = (np.arange(m) % 2) == 0
    due = start + (rng.random(m) * (end - start)).astype(np.int64)
    u = rng.random(m)
    past = due < world.as_of
    status = np.where(past & (u < 0.7), "done", np.where(past & (u < 0.8), "dropped", "open"))
    completed = np.clip(due - rng.integers(0, 21, m), start, world.as_of - 1).astype("datetime64[D]")
    completed[status != "done"] = np.datetime64("NaT")
    contact = member(rng, chunk.contact_first, chunk.contact_count, row)
    world.writer.insert(JointPlanItem, {
        "id": np.arange(m) + world.writer.allocate(JointPlanItem, m),
        "plan_id": plan_ids[item_plan],
        "title": texts.pick_one(rng, texts.PLAN_ITEMS, chunk.vietnamese[row]),
        "owner_side": np.where(ours, "us", "customer"),
        "owner_user_id": nullable(chunk.owner[row], ours),
        "owner_contact_id": nullable(contact, ~ours & (contact >= 0)),
        "due_at": due.astype("datetime64[D]"),
        "status": status,
        "completed_at": completed,
        "review_id": None,
        "created_at": np.full(m, start).astype("datetime64[D]").astype("datetime64[s]"),
    })


def write_expectations(rng: np.random.Generator, world: World, chunk: Chunk) -> None:
    count = np.where(rng.random(len(chunk)) < 0.5, 1 + (rng.random(len(chunk)) < 0.4), 0)
    row = np.repeat(np.arange(len(chunk)), count)
    n = len(row)
    if not n:
        return
    assessed = rng.random(n) < 0.6
    met = rng.random(n) < sigmoid(0.5 + chunk.quality[row])
    when = np.maximum(world.as_of - rng.integers(1, 300, n), chunk.start[row].astype(np.int64))
    when = np.minimum(when, world.as_of - 1).astype("datetime64[D]")
    when[~assessed] = np.datetime64("NaT")
    world.writer.insert(Expectation, {
        "id": np.arange(n) + world.writer.allocate(Expectation, n),
        "account_id": chunk.ids[row],
        "held_by": np.where(rng.random(n) < 0.85, "customer", "us"),
        "description": texts.pick_one(rng, texts.EXPECTATIONS, chunk.vietnamese[row]),
        "met": nullable(met, assessed),
        "assessed_at": when,
        "created_at": np.ceil(chunk.start[row]).astype(np.int64).astype("datetime64[D]"),
    })

