"""Generated events of a chunk: touchpoints, service cases with their work, promises.

How the traits of an account show in its events (the constants below are the
demo's assumptions, tabled in docs/demo.md):

* ``quality`` (the hidden health of the relationship) lowers the share of
  face time spent on price, contracts and blame (P17) and the meetings our
  technical people miss (P15), lowers complaints and slow service, raises the
  share of promises kept and of contact the customer starts;
* in the decline before a defection the relationship behaves worse still
  (``portfolio.quality_on``), contact thins out and the customer's requests and
  calls mostly stop;
* ``quiet_from`` ends every request and every contact the customer starts
  (P10), while orders go on;
* ``contact_end`` ends touchpoints and requests altogether (faded contact).
"""

from __future__ import annotations

import numpy as np

from aftersale.core.enums import Department
from aftersale.demo import texts
from aftersale.demo.catalogue import LABOUR_RATE
from aftersale.demo.portfolio import (
    DECLINE_CONTACT,
    DECLINE_REQUESTS,
    HISTORY_DAYS,
    YEAR,
    Chunk,
    World,
    declining,
    quality_on,
    thin,
)
from aftersale.demo.sampling import (
    choose,
    choose_rows,
    logit,
    member,
    nullable,
    renewal,
    round_vnd,
    sigmoid,
)
from aftersale.engagement.models import TOPIC_CLASSES, Touchpoint, TouchpointParticipant
from aftersale.promises.models import Promise, PromiseEvent, PromiseStatus, Stage
from aftersale.service.models import CaseChannel, CaseKind, CaseStatus, ServiceCase, Severity, WorkLog

DEPARTMENTS = np.array(
    [d.value for d in (
        Department.MARKETING, Department.SALES, Department.ENGINEERING, Department.PRODUCTION,
        Department.SERVICE, Department.FINANCE, Department.MANAGEMENT,
    )],
    dtype=object,
)
SALES = 1
TOPICS = np.array(
    ["price", "contract", "dispute", "expediting", "planning", "design_idea",
     "process_improvement", "training", "technical_support", "other"],
    dtype=object,
)
# Plain strings, not the enum members: the sqlite3 module binds a str subclass
# only after a slow adapter lookup.
TOPIC_CLASS = np.array([str(TOPIC_CLASSES[t].value) for t in TOPICS], dtype=object)
# Who from our side goes to a meeting about each topic (columns: DEPARTMENTS).
TOPIC_DEPARTMENTS = np.array([
    [5, 70, 0, 0, 0, 20, 5],
    [0, 60, 0, 0, 5, 25, 10],
    [0, 40, 5, 15, 20, 10, 10],
    [0, 35, 0, 40, 20, 5, 0],
    [15, 40, 10, 10, 10, 5, 10],
    [5, 10, 55, 25, 5, 0, 0],
    [0, 5, 35, 35, 25, 0, 0],
    [5, 0, 20, 10, 65, 0, 0],
    [0, 0, 30, 10, 60, 0, 0],
    [40, 40, 0, 0, 5, 5, 10],
], dtype=float)
KINDS = np.array(["visit", "meeting", "call", "video", "email"], dtype=object)
KIND_P = [0.12, 0.15, 0.30, 0.13, 0.30]
# Minutes per kind: lowest, and the number of 5-minute steps above it.
MINUTES = {"visit": (60, 36), "meeting": (45, 15), "call": (5, 7), "video": (20, 8), "email": (5, 2)}

TOUCHPOINTS_PER_ACCOUNT = 53.0
PROMISES_PER_ACCOUNT = 11.4
# Requests (service cases) a year: a base plus so many per installed machine, times
# a per-account factor (lognormal, mean 1): quietness is judged against machines.
CASES_PER_YEAR = (1.0, 2.0)
CASE_NOISE = 0.5
# Effects of quality q (log-odds: intercept, per unit of q; shares: level, per q).
TRANSACTIONAL_SHARE = (0.30, -0.12)  # of face time; +DECLINE_TRANSACTIONAL while declining
DECLINE_TRANSACTIONAL = 0.15
TECHNICAL_ABSENT_LOGIT = (-1.6, -0.9)  # a technical meeting held without technical staff
CUSTOMER_STARTS = 0.5  # log-odds of a contact being the customer's, per unit of q
COMPLAINT_LOGIT = (-2.5, -1.0)
SLOW_SERVICE = 0.6  # response and resolution times times exp(-0.6 q)
PROMISE_KEPT_LOGIT = (1.0, 1.2)
TECHNICAL = (2, 3, 4)  # engineering, production, service (DEPARTMENTS)
CASE_KINDS = np.array([k.value for k in CaseKind], dtype=object)
CASE_KIND_P = np.array([  # by industry; columns CASE_KINDS
    [10, 20, 35, 25, 10],
    [3, 50, 30, 5, 12],
    [0, 60, 0, 0, 40],
], dtype=float)
ON_ASSET = {"installation", "repair", "maintenance"}
SEVERITIES = np.array([s.value for s in (Severity.LOW, Severity.NORMAL, Severity.HIGH, Severity.CRITICAL)],
                      dtype=object)
# Wall-clock hours to resolve, median; about one case in ten misses its target.
RESOLVE_MEDIAN_HOURS = {"low": 110.0, "normal": 60.0, "high": 30.0, "critical": 14.0}
# Work logs per case, by kind, and the share of them done on site.
LOGS_PER_CASE = {"installation": 2.3, "application_support": 0.9, "repair": 1.8, "maintenance": 1.4,
                 "other": 0.35}
ON_SITE = {"installation": 0.95, "application_support": 0.25, "repair": 0.6, "maintenance": 0.85,
           "other": 0.05}


def staff_of(rng: np.random.Generator, world: World, departments: np.ndarray) -> np.ndarray:
    """A random colleague of each row's department (index into DEPARTMENTS)."""
    out = np.zeros(len(departments), dtype=np.int64)
    for d, name in enumerate(DEPARTMENTS.tolist()):
        mask = departments == d
        pool = world.cast.by_department[name]
        out[mask] = pool[rng.integers(0, len(pool), int(mask.sum()))]
    return out


def people(
    rng: np.random.Generator, world: World, chunk: Chunk, row: np.ndarray, departments: np.ndarray,
    owner_share: float,
) -> np.ndarray:
    """Colleagues of each department; for sales, mostly the account's own owner."""
    people = staff_of(rng, world, departments)
    own = (departments == SALES) & (rng.random(len(row)) < owner_share)
    people[own] = chunk.owner[row][own]
    return people


def write_touchpoints(rng: np.random.Generator, world: World, chunk: Chunk) -> int:
    rate = TOUCHPOINTS_PER_ACCOUNT / HISTORY_DAYS * chunk.activity**0.8
    row, day = renewal(rng, chunk.start, chunk.contact_end, rate)
    keep = thin(rng, chunk, row, day, DECLINE_CONTACT)
    row, day = row[keep], day[keep]
    total = len(row)
    if not total:
        return 0
    ids = np.arange(total, dtype=np.int64) + world.writer.allocate(Touchpoint, total)
    days = world.calendar.business_days(np.floor(day).astype(np.int64), world.as_of)
    late = declining(chunk, row, days)
    kind = choose(rng, KINDS, KIND_P, total)
    minutes = np.zeros(total, dtype=np.int64)
    for name, (low, steps) in MINUTES.items():
        mask = kind == name
        minutes[mask] = low + 5 * rng.integers(0, steps + 1, int(mask.sum()))
    level, slope = TRANSACTIONAL_SHARE
    transactional_share = level + slope * chunk.quality + rng.normal(0, 0.05, len(chunk))
    transactional = rng.random(total) < np.clip(
        transactional_share[row] + DECLINE_TRANSACTIONAL * late, 0.05, 0.75
    )
    topic = np.where(
        transactional,
        rng.choice(4, total, p=[0.35, 0.25, 0.15, 0.25]),
        np.where(rng.random(total) < 0.08, 9, 4 + rng.choice(5, total, p=[0.25, 0.12, 0.15, 0.18, 0.30])),
    )
    customer_share = sigmoid(logit(rng.beta(2.0, 3.0, len(chunk))) + CUSTOMER_STARTS * chunk.quality)
    by_customer = (rng.random(total) < customer_share[row]) & (days < chunk.quiet_from[row])
    # A declining customer mostly stops calling: what contact is left, we start.
    by_customer &= ~late | (rng.random(total) < DECLINE_REQUESTS)
    topics = TOPICS[topic]
    # Our people there: one from the department the topic calls for, and in
    # one meeting in ten a colleague from another department.
    first = choose_rows(rng, TOPIC_DEPARTMENTS, topic)
    # Worse relationships get sales instead of the engineer the topic calls for (P15).
    absent = rng.random(total) < sigmoid(
        TECHNICAL_ABSENT_LOGIT[0] + TECHNICAL_ABSENT_LOGIT[1] * quality_on(chunk, row, days)
    )
    first = np.where(absent & np.isin(first, TECHNICAL), SALES, first)
    second_row = rng.random(total) < 0.1
    second = (first + 1 + rng.integers(0, len(DEPARTMENTS) - 1, total)) % len(DEPARTMENTS)
    p_touch = np.concatenate((ids, ids[second_row]))
    p_dept = np.concatenate((first, second[second_row]))
    p_row = np.concatenate((row, row[second_row]))
    p_user = people(rng, world, chunk, p_row, p_dept, owner_share=0.7)
    world.writer.insert(Touchpoint, {
        "id": ids,
        "external_id": [f"DEMO-T-{k:08d}" for k in ids.tolist()],
        "account_id": chunk.ids[row],
        "occurred_at": world.calendar.office_moments(rng, days),
        "kind": kind,
        "initiated_by": np.where(by_customer, "customer", "vendor"),
        "minutes": minutes,
        "topic": topics,
        "topic_class": TOPIC_CLASS[topic],
        # Half the touchpoints are logged without a note, as in real life.
        "summary": np.where(
            rng.random(total) < 0.5,
            np.array(texts.pick(rng, texts.TOUCHPOINT_NOTES, topics, chunk.vietnamese[row]), dtype=object),
            "",
        ),
        "logged_by_id": p_user[:total],
    })
    n_part = len(p_touch)
    world.writer.insert(TouchpointParticipant, {
        "id": np.arange(n_part) + world.writer.allocate(TouchpointParticipant, n_part),
        "touchpoint_id": p_touch,
        "user_id": p_user,
        "department": DEPARTMENTS[p_dept],
    })
    with_contact = rng.random(total) < 0.04
    contact = member(rng, chunk.contact_first, chunk.contact_count, row)
    with_contact &= contact >= 0
    through = Touchpoint.contacts.through
    n_c = int(with_contact.sum())
    world.writer.insert(through, {
        "id": np.arange(n_c) + world.writer.allocate(through, n_c),
        "touchpoint_id": ids[with_contact],
        "contact_id": contact[with_contact],
    })
    return total


def write_cases(rng: np.random.Generator, world: World, chunk: Chunk) -> int:
    base, per_machine = CASES_PER_YEAR
    noise = rng.lognormal(-CASE_NOISE**2 / 2, CASE_NOISE, len(chunk))
    rate = (base + per_machine * chunk.asset_count) / YEAR * noise
    row, day = renewal(rng, chunk.start, chunk.contact_end, rate)
    days = world.calendar.business_days(np.floor(day).astype(np.int64), world.as_of)
    keep = (days < chunk.quiet_from[row]) & thin(rng, chunk, row, days, DECLINE_REQUESTS)
    row, days = row[keep], days[keep]
    total = len(row)
    if not total:
        return 0
    ids = np.arange(total, dtype=np.int64) + world.writer.allocate(ServiceCase, total)
    kind = CASE_KINDS[choose_rows(rng, CASE_KIND_P, chunk.industry[row])]
    asset = member(rng, chunk.asset_first, chunk.asset_count, row)
    asset = np.where(np.isin(kind, list(ON_ASSET)), asset, -1)
    severity = choose(rng, SEVERITIES, [0.2, 0.5, 0.22, 0.08], total)
    quality = quality_on(chunk, row, days)
    complaint = rng.random(total) < sigmoid(COMPLAINT_LOGIT[0] + COMPLAINT_LOGIT[1] * quality)
    opened = world.calendar.office_moments(rng, days)
    response_hours = np.array([world.targets[s][0] for s in severity.tolist()])
    resolution_hours = np.array([world.targets[s][1] for s in severity.tolist()])
    response_due = world.calendar.add_business_hours(opened, response_hours)
    resolution_due = world.calendar.add_business_hours(opened, resolution_hours)
    slow = np.exp(-SLOW_SERVICE * quality)
    respond_after = np.clip(rng.lognormal(np.log(2.0), 1.0, total) * slow, 0.1, 300) * 3600
    median = np.array([RESOLVE_MEDIAN_HOURS[s] for s in severity.tolist()])
    resolve_after = np.maximum(rng.lognormal(np.log(median), 0.8) * slow * 3600, respond_after + 1800)
    now = world.calendar.midnight(world.as_of)
    first_response = opened + respond_after.astype("timedelta64[s]")
    resolved = opened + resolve_after.astype("timedelta64[s]")
    first_response[first_response >= now] = np.datetime64("NaT")
    resolved[resolved >= now] = np.datetime64("NaT")
    closed = resolved + np.timedelta64(3 * 86400, "s")
    old_enough = ~np.isnat(resolved) & (resolved < now - np.timedelta64(7 * 86400, "s"))
    closed[~old_enough] = np.datetime64("NaT")
    status = np.where(
        old_enough, CaseStatus.CLOSED.value,
        np.where(~np.isnat(resolved), CaseStatus.RESOLVED.value,
                 np.where(np.isnat(first_response), CaseStatus.NEW.value,
                          np.where(rng.random(total) < 0.2, CaseStatus.WAITING.value,
                                   CaseStatus.IN_PROGRESS.value))),
    )
    responded_by = np.where(np.isnat(first_response), now, first_response)
    finished_by = np.where(np.isnat(resolved), now, resolved)
    vietnamese = chunk.vietnamese[row]
    titles = np.array(texts.pick(rng, texts.CASE_TITLES, kind, vietnamese), dtype=object)
    if complaint.any():
        titles[complaint] = texts.pick_one(rng, texts.COMPLAINT_TITLES, vietnamese[complaint])
    raised_by = member(rng, chunk.contact_first, chunk.contact_count, row)
    service = np.full(total, 4)
    # A maintenance visit belongs to its asset's plan (one plan per asset).
    planned = (kind == "maintenance") & (asset >= 0)
    plan = np.where(planned, chunk.plan_base + (asset - chunk.asset_base), -1)
    world.writer.insert(ServiceCase, {
        "id": ids,
        "external_id": [f"DEMO-SC-{k:07d}" for k in ids.tolist()],
        "account_id": chunk.ids[row],
        "asset_id": nullable(asset, asset >= 0),
        "kind": kind,
        "is_complaint": complaint,
        "severity": severity,
        "channel": choose(rng, [c.value for c in CaseChannel], [0.2, 0.45, 0.25, 0.1], total),
        "status": status,
        "title": titles,
        "description": "",
        "raised_by_id": nullable(raised_by, (raised_by >= 0) & (rng.random(total) < 0.8)),
        "assigned_to_id": staff_of(rng, world, service),
        "opened_at": opened,
        "first_response_at": first_response,
        "resolved_at": resolved,
        "closed_at": closed,
        "response_due_at": response_due,
        "resolution_due_at": resolution_due,
        "response_breached": responded_by > response_due,
        "resolution_breached": finished_by > resolution_due,
        "internal_notes": "",
        "maintenance_plan_id": nullable(plan, planned),
        # The targets in force when the case was opened, as the service app keeps them.
        "response_target_hours": response_hours,
        "resolution_target_hours": resolution_hours,
    })
    return total + _write_work(rng, world, chunk, row, ids, kind, asset, opened, resolved, status)


def _write_work(
    rng: np.random.Generator, world: World, chunk: Chunk, row: np.ndarray, case_ids: np.ndarray,
    kind: np.ndarray, asset: np.ndarray, opened: np.ndarray, resolved: np.ndarray, status: np.ndarray,
) -> int:
    """Time, parts and travel spent on the cases: the cost to serve (P14)."""
    mean = np.array([LOGS_PER_CASE[k] for k in kind.tolist()])
    count = np.where(status == CaseStatus.NEW.value, 0, rng.poisson(mean))
    total = int(count.sum())
    if not total:
        return 0
    case = np.repeat(np.arange(len(case_ids)), count)
    first_day = world.calendar.local_days(opened[case])
    finished = resolved[case]
    last_day = np.full(total, world.as_of - 1, dtype=np.int64)
    done = ~np.isnat(finished)
    last_day[done] = np.minimum(world.calendar.local_days(finished[done]), world.as_of - 1)
    worked = first_day + (rng.random(total) * (last_day - first_day + 1)).astype(np.int64)
    worked = np.minimum(worked, world.as_of - 1)
    department = choose(rng, [4, 2, 3], [0.75, 0.15, 0.10], total)
    user = staff_of(rng, world, department)
    hours = np.clip(np.round(rng.gamma(2.0, 1.2, total) * 4) / 4, 0.5, 8.0)
    case_kind = kind[case]
    on_site = rng.random(total) < np.array([ON_SITE[k] for k in case_kind.tolist()])
    parts = np.where(
        (case_kind == "repair") & (rng.random(total) < 0.5),
        round_vnd(rng.lognormal(np.log(8e6), 0.8, total)),
        np.where((case_kind == "maintenance") & (rng.random(total) < 0.4),
                 round_vnd(rng.lognormal(np.log(3e6), 0.5, total)), 0),
    )
    travel = np.where(on_site, round_vnd(rng.uniform(3e5, 2.5e6, total)), 0)
    case_asset = asset[case]
    has_asset = case_asset >= 0
    warranty = np.zeros(total, dtype=np.int64)
    if has_asset.any():
        warranty[has_asset] = chunk.asset_warranty[case_asset[has_asset] - chunk.asset_base]
    world.writer.insert(WorkLog, {
        "id": np.arange(total) + world.writer.allocate(WorkLog, total),
        "account_id": chunk.ids[row[case]],
        "case_id": case_ids[case],
        "asset_id": nullable(case_asset, has_asset),
        "user_id": user,
        "department": DEPARTMENTS[department],
        "worked_on": worked.astype("datetime64[D]"),
        "hours": hours,
        "labour_cost": (hours * LABOUR_RATE).astype(np.int64),
        "parts_cost": parts,
        "travel_cost": travel,
        "currency": "VND",
        "on_site": on_site,
        "is_warranty": has_asset & (worked <= warranty),
        "note": "",
    })
    return total


def write_promises(rng: np.random.Generator, world: World, chunk: Chunk) -> int:
    rate = PROMISES_PER_ACCOUNT / HISTORY_DAYS * chunk.activity**0.7
    row, day = renewal(rng, chunk.start, np.minimum(chunk.end, world.as_of - 1), rate, shape=1.2)
    total = len(row)
    if not total:
        return 0
    as_of = world.as_of
    ids = np.arange(total, dtype=np.int64) + world.writer.allocate(Promise, total)
    made = world.calendar.business_days(np.floor(day).astype(np.int64), as_of)
    made_dept = choose(rng, range(7), [0.10, 0.45, 0.12, 0.05, 0.18, 0.05, 0.05], total)
    deliver_dept = np.where(
        rng.random(total) < 0.4, made_dept,
        choose(rng, range(7), [0.05, 0.15, 0.15, 0.25, 0.30, 0.10, 0.0], total),
    )
    made_by = people(rng, world, chunk, row, made_dept, owner_share=0.7)
    owner = people(rng, world, chunk, row, deliver_dept, owner_share=0.5)
    due = made + rng.integers(7, 121, total)
    renegotiated = rng.random(total) < 0.12
    reneg_day = made + (rng.random(total) * (np.minimum(due, as_of - 1) - made)).astype(np.int64)
    original_due = due.copy()
    due = np.where(renegotiated, due + rng.integers(14, 61, total), due)
    past = due < as_of
    quality = quality_on(chunk, row, made)
    kept = past & (rng.random(total) < sigmoid(PROMISE_KEPT_LOGIT[0] + PROMISE_KEPT_LOGIT[1] * quality))
    r = rng.random(total)
    late = past & ~kept & (r < 0.6)
    broken = past & ~kept & (r >= 0.6) & (r < 0.93)
    cancelled = past & ~kept & (r >= 0.93)
    delivered_kept = np.maximum(due - rng.integers(0, 11, total), made)
    delivered_late = due + rng.integers(1, 46, total)
    closed_broken = due + rng.integers(1, 31, total)
    cancel_day = made + (rng.random(total) * (np.minimum(due, as_of - 1) - made)).astype(np.int64)
    closed_cancelled = np.maximum(cancel_day, np.where(renegotiated, reneg_day, made))
    # A late delivery or a breach not yet recorded by the as-of date leaves the
    # promise open and overdue, as it would be in real life.
    late &= delivered_late < as_of
    broken &= closed_broken < as_of
    status = np.where(renegotiated, PromiseStatus.RENEGOTIATED.value, PromiseStatus.OPEN.value).astype(object)
    status[kept] = PromiseStatus.KEPT.value
    status[late] = PromiseStatus.LATE.value
    status[broken] = PromiseStatus.BROKEN.value
    status[cancelled] = PromiseStatus.CANCELLED.value
    delivered = np.full(total, -1, dtype=np.int64)
    delivered[kept] = delivered_kept[kept]
    delivered[late] = delivered_late[late]
    closed = delivered.copy()
    closed[broken] = closed_broken[broken]
    closed[cancelled] = closed_cancelled[cancelled]
    final = closed >= 0
    contact = member(rng, chunk.contact_first, chunk.contact_count, row)
    world.writer.insert(Promise, {
        "id": ids,
        "external_id": [f"DEMO-PR-{k:07d}" for k in ids.tolist()],
        "account_id": chunk.ids[row],
        "contact_id": nullable(contact, (contact >= 0) & (rng.random(total) < 0.5)),
        "direction": "from_us",
        "description": texts.pick(rng, texts.PROMISES, DEPARTMENTS[made_dept], chunk.vietnamese[row]),
        "stage": choose(rng, [s.value for s in Stage], [0.25, 0.35, 0.2, 0.2], total),
        "made_at": made.astype("datetime64[D]"),
        "made_by_id": made_by,
        "made_by_department": DEPARTMENTS[made_dept],
        "due_at": due.astype("datetime64[D]"),
        "original_due_at": _dates(original_due, renegotiated),
        "delivery_owner_id": owner,
        "delivery_department": DEPARTMENTS[deliver_dept],
        "status": status,
        "delivered_at": _dates(delivered, delivered >= 0),
        "closed_at": _dates(closed, final),
        "evidence": "",
        "renegotiations": renegotiated.astype(np.int64),
        "version": 1 + renegotiated + final,
    })
    _write_history(
        rng, world, ids, made, made_by, owner, renegotiated, reneg_day, original_due, due,
        status, closed, delivered, final,
    )
    return total


def _dates(days: np.ndarray, present: np.ndarray) -> np.ndarray:
    out = days.astype("datetime64[D]")
    out[~present] = np.datetime64("NaT")
    return out


def _write_history(
    rng: np.random.Generator, world: World, ids: np.ndarray, made: np.ndarray, made_by: np.ndarray,
    owner: np.ndarray, renegotiated: np.ndarray, reneg_day: np.ndarray, original_due: np.ndarray,
    due: np.ndarray, status: np.ndarray, closed: np.ndarray, delivered: np.ndarray, final: np.ndarray,
) -> int:
    """PromiseEvent rows: recorded, then renegotiated and closed where that happened."""
    iso = np.datetime_as_string
    n_r = int(renegotiated.sum())
    old = iso(original_due[renegotiated].astype("datetime64[D]")).tolist()
    new = iso(due[renegotiated].astype("datetime64[D]")).tolist()
    reneg_changes = [
        f'{{"due_at": ["{a}", "{b}"], "status": ["open", "renegotiated"]}}'
        for a, b in zip(old, new, strict=True)
    ]
    before = np.where(renegotiated, "renegotiated", "open")[final].tolist()
    after = status[final].tolist()
    got = delivered[final]
    got_text = iso(np.where(got >= 0, got, 0).astype("datetime64[D]")).tolist()
    final_changes = [
        f'{{"status": ["{a}", "{b}"], "delivered_at": [null, "{d}"]}}' if g >= 0
        else f'{{"status": ["{a}", "{b}"]}}'
        for a, b, g, d in zip(before, after, got.tolist(), got_text, strict=True)
    ]
    promise = np.concatenate((ids, ids[renegotiated], ids[final]))
    days = np.concatenate((made, reneg_day[renegotiated], closed[final]))
    by = np.concatenate((made_by, owner[renegotiated], owner[final]))
    action = ["recorded"] * len(ids) + ["renegotiated"] * n_r + after
    changes = ["{}"] * len(ids) + reneg_changes + final_changes
    version = np.concatenate((np.ones(len(ids), dtype=np.int64), np.full(n_r, 2),
                              1 + renegotiated[final] + 1))
    total = len(promise)
    world.writer.insert(PromiseEvent, {
        "id": np.arange(total) + world.writer.allocate(PromiseEvent, total),
        "promise_id": promise,
        "at": world.calendar.office_moments(rng, days),
        "by_id": by,
        "action": action,
        "changes": changes,
        "note": "",
        "version": version,
    }, optional=("version",))
    return total
