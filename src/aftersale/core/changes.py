"""Which accounts a transaction changed, handed to whoever listens once it commits.

A change to an account's promises, cases, maintenance, touchpoints, orders,
reviews, plans or trust ratings must refresh its health score and close the
alerts it settles. The score and the alerts belong to the engine, which sits
above the domain apps (docs/architecture.md), so a domain action says only
*which* account changed (``account_changed``) and the engine subscribes a
handler from its ``AppConfig.ready``.

The accounts one transaction changes are collected and handed over once, after
it commits, each account once: an import that touches 10,000 accounts makes one
call with 10,000 ids, a transaction that rolls back makes none. Outside a
transaction the write is already committed, so the handlers run at once. A
handler that fails is logged and never reaches the caller: the user's change
stands, and the next scan catches up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from weakref import WeakKeyDictionary

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

Handler = Callable[[list[int]], object]

_handlers: list[Handler] = []


def subscribe(handler: Handler) -> None:
    """Call ``handler(account_ids)`` after every commit that changed accounts (once per handler)."""
    if handler not in _handlers:
        _handlers.append(handler)


def unsubscribe(handler: Handler) -> None:
    if handler in _handlers:
        _handlers.remove(handler)


def subscribers() -> list[Handler]:
    return list(_handlers)


def dispatch(account_ids: Iterable[int]) -> None:
    """Hand ``account_ids`` to every handler now; a failing handler is logged, the others still run."""
    ids = sorted({int(i) for i in account_ids})
    if not ids:
        return
    for handler in list(_handlers):
        try:
            handler(ids)
        except Exception:
            # The change is committed and must stand; the daily scan refreshes what this missed.
            logger.exception("After a change to %d account(s) (first %s), %s failed",
                             len(ids), ids[0], getattr(handler, "__qualname__", handler))


class _Pending:
    """The accounts changed in one transaction; handed over once when it commits."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.done = False

    def __call__(self) -> None:
        if self.done:
            return
        self.done = True
        dispatch(self.ids)


_pending: WeakKeyDictionary[BaseDatabaseWrapper, _Pending] = WeakKeyDictionary()


def account_changed(*account_ids: int | None, using: str | None = None) -> None:
    """Record that these accounts' data changed; listeners hear of it once the change commits.

    Call it after the write, in the same transaction (``None`` ids are ignored).
    """
    ids = {int(i) for i in account_ids if i is not None}
    if not ids:
        return
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        dispatch(ids)
        return
    pending = _pending.get(connection)
    entries = [sids for sids, func, _robust in connection.run_on_commit if func is pending]
    if pending is None or pending.done or not entries:
        # None yet in this transaction, or what there was rolled back with its savepoints.
        pending = _pending[connection] = _Pending()
        entries = []
    pending.ids |= ids
    # One callback serves the whole transaction and runs once. It is registered again
    # unless it already is in this savepoint or one enclosing it, so every change has a
    # registration that lives at least as long as the change (and is among the callbacks
    # registered while it was made, which is what tests capture). An id whose savepoint
    # rolled back while an enclosing registration survived costs one needless refresh.
    current = set(connection.savepoint_ids)
    if not any(sids <= current for sids in entries):
        transaction.on_commit(pending, using=using, robust=True)
