"""Building the whole demo portfolio in one transaction."""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from aftersale.commerce.models import Order, OrderLine
from aftersale.core.bulk import cycle_collection_paused
from aftersale.core.progress import ProgressBar
from aftersale.demo import activity, helper, portfolio, relations, stories
from aftersale.demo.builder import MODEL_ORDER, Builder
from aftersale.demo.cast import build_cast, ensure_service_targets
from aftersale.demo.clock import Calendar, day_number
from aftersale.demo.evidence import attach_evidence
from aftersale.demo.models import DemoDataset
from aftersale.demo.writer import Batch, BatchRecorder, BulkWriter
from aftersale.engagement.models import Touchpoint, TouchpointParticipant
from aftersale.promises.models import Promise, PromiseEvent
from aftersale.service.models import ServiceCase, WorkLog
from aftersale.service.targets import service_calendar

CHUNK_ACCOUNTS = 2500
# From this many generated accounts on, the big tables' indexes are dropped
# and rebuilt once after the load instead of being maintained row by row.
REBUILD_INDEXES_FROM = 5000
EVIDENCE_UP_TO = 5000
EVENT_MODELS = (Order, Touchpoint, ServiceCase, WorkLog, Promise)
BIG_MODELS = (*EVENT_MODELS, OrderLine, TouchpointParticipant, Touchpoint.contacts.through, PromiseEvent)


@dataclass
class LoadResult:
    dataset: DemoDataset
    counts: dict[str, int]
    generated_staff: int


def load_demo(
    *, accounts: int, seed: int, as_of: date, progress: ProgressBar | None = None
) -> LoadResult:
    """Generate ``accounts`` customer accounts (the stories first) as of ``as_of``."""
    if accounts < len(stories.STORIES):
        raise ValueError(f"the demo needs at least {len(stories.STORIES)} accounts (one per story)")
    generated = accounts - len(stories.STORIES)
    started = time.monotonic()
    calendar = Calendar.from_work_calendar(service_calendar(), as_of)
    # Rows get the as-of day as their creation time: never the wall clock,
    # so that a seed and a date always give the same rows.
    stamp: datetime = calendar.moment(as_of, 0)
    # Rows without a date of their own (staff, products, contacts) date from the
    # start of the history, so a scan as of any day in it finds them.
    origin = calendar.moment(as_of - timedelta(days=portfolio.HISTORY_DAYS + 1), 0)
    with transaction.atomic():
        targets = ensure_service_targets()
        writer = BulkWriter(stamp, origin)
        writer.lock(MODEL_ORDER)
        rebuild = generated >= REBUILD_INDEXES_FROM
        split = rebuild and helper.available()
        with writer.indexes_deferred(BIG_MODELS) if rebuild else nullcontext() as deferred:
            builder = Builder(writer)
            cast = build_cast(builder, generic_accounts=generated, seed=seed)
            stories.build(builder, cast, as_of, random.Random(seed), targets, calendar)
            aside = BatchRecorder(writer)
            builder.flush(aside, helper.HELPER_MODELS if split else ())
            writer.prime(MODEL_ORDER)
            world = portfolio.World(
                cast=cast, writer=BatchRecorder(writer), as_of=day_number(as_of), targets=targets,
                calendar=calendar,
            )
            second = (
                helper.Helper(
                    writer, world, lambda w: _generated(w, seed, generated), aside.take(), deferred
                )
                if split else None
            )
            checked: list[type[Model]] = []
            try:
                with cycle_collection_paused():
                    show = _write(writer, world, seed, generated, second, progress)
                if second is not None:
                    if deferred is not None:
                        # Rebuild this side's indexes while the helper still writes.
                        deferred.restore(m for m in BIG_MODELS if m not in helper.HELPER_MODELS)
                    # Check the keys of this side's tables meanwhile too (those
                    # that point at the helper's tables have to wait for them).
                    checked = helper.independent(MODEL_ORDER)
                    writer.check_foreign_keys(checked)
                    second.finish(show)
            finally:
                if second is not None:
                    second.close()
        writer.check_foreign_keys([m for m in MODEL_ORDER if m not in checked])
        if connection.vendor == "postgresql":
            writer.reset_sequences(MODEL_ORDER)
        # Statistics that know the new rows, before anything reads them.
        writer.finish()
        # The review app's evidence on each review, as of its date: for every review of a
        # portfolio up to EVIDENCE_UP_TO accounts, else for the stories' only.
        attach_evidence(generated=generated <= EVIDENCE_UP_TO)
        counts = dict(sorted(writer.rows.items()))
        events = sum(writer.rows[m._meta.label] for m in EVENT_MODELS)
        dataset = DemoDataset.objects.create(
            seed=seed, accounts=accounts, as_of=as_of, events=events,
            rows=sum(counts.values()), seconds=round(time.monotonic() - started, 2),
            loaded_at=timezone.now(),
        )
    if progress is not None:
        progress.finish()
    return LoadResult(dataset=dataset, counts=counts, generated_staff=cast.generated_staff)


def _write(
    writer: BulkWriter, world: portfolio.World, seed: int, generated: int,
    second: helper.Helper | None, progress: ProgressBar | None,
) -> Callable[[int], None]:
    """Write the generated chunks (with a helper, this process's tables only).

    The bar counts a chunk once both processes have written it; returns what
    moves the bar on as the helper reports further chunks.
    """
    if second is not None:
        world = replace(world, writer=BatchRecorder(writer, skip=helper.HELPER_MODELS))
    written: list[tuple[int, int]] = []
    shown = 0

    def show(helper_done: int) -> None:
        nonlocal shown
        while shown < min(len(written), helper_done):
            if progress is not None:
                progress.advance(*written[shown])
            shown += 1

    for size, events, batches in _generated(world, seed, generated):
        for batch in batches:
            writer.write(batch)
        written.append((size, events))
        show(second.poll() if second is not None else len(written))
    return show


def _generated(
    world: portfolio.World, seed: int, generated: int
) -> Iterator[tuple[int, int, list[Batch]]]:
    """Chunks of prepared rows, made in a second thread while this one writes.

    Generation is numpy and Python; writing is mostly SQLite or PostgreSQL
    work with the GIL released, so on two cores the two overlap. The thread
    touches no database (the writer was primed), and stops when the writing
    side fails.
    """
    chunks: queue.Queue[tuple[int, int, list[Batch]] | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item: tuple[int, int, list[Batch]] | BaseException | None) -> None:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def work() -> None:
        try:
            recorder = world.writer
            assert isinstance(recorder, BatchRecorder)
            for number, first in enumerate(range(0, generated, CHUNK_ACCOUNTS)):
                if stop.is_set():
                    return
                size = min(CHUNK_ACCOUNTS, generated - first)
                events = generate_chunk(np.random.default_rng([seed, number]), world, first + 1, size)
                put((size, events, recorder.take()))
            put(None)
        except BaseException as exc:  # handed to the writing thread, which raises it
            put(exc)

    thread = threading.Thread(target=work, name="demo-generator", daemon=True)
    thread.start()
    try:
        while (item := chunks.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def generate_chunk(rng: np.random.Generator, world: portfolio.World, first_number: int, size: int) -> int:
    """Generate and write ``size`` accounts with everything they did; returns the events written."""
    chunk = portfolio.draw_chunk(rng, world, first_number, size)
    portfolio.write_accounts(rng, world, chunk)
    portfolio.write_contacts(rng, world, chunk)
    portfolio.write_assets(rng, world, chunk)
    events = portfolio.write_orders(rng, world, chunk)
    events += activity.write_touchpoints(rng, world, chunk)
    events += activity.write_cases(rng, world, chunk)
    events += activity.write_promises(rng, world, chunk)
    relations.write_ideas(rng, world, chunk)
    relations.write_info_shares(rng, world, chunk)
    relations.write_trust(rng, world, chunk)
    relations.write_reviews(rng, world, chunk)
    relations.write_plans(rng, world, chunk)
    relations.write_expectations(rng, world, chunk)
    return events
