"""Conditional GET (``ETag``, ``If-None-Match``, 304) for the reads integrations poll.

A poller that sends back the ETag of its last answer gets ``304 Not Modified``,
without a body, while nothing that answer depends on has changed. The ETag
is computed from those inputs (the rows a page holds, the snapshot a health
answer is made from), not from the rendered body, so a 304 skips the
answer's validation and writing; it is weak (``W/"..."``): it names the
content, not the bytes. The inputs always include the caller, so one
person's ETag never answers another's request, and they are hashed, so an
ETag tells nothing of the data. Django's ``get_conditional_response`` decides.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext as _

from aftersale.api.errors import ApiError
from aftersale.api.renderers import to_json


def weak_etag(*inputs: Any) -> str:
    """A weak ETag standing for ``inputs`` (JSON-writable values), which it does not reveal."""
    digest = hashlib.blake2b(to_json(inputs), digest_size=16).hexdigest()
    return f'W/"{digest}"'


def not_modified(request: HttpRequest, response: HttpResponse, etag: str) -> HttpResponse | None:
    """Puts ``etag`` on ``response`` (the view's ninja response, whose headers the answer
    gets) and returns the 304 to send instead if the client already holds that answer;
    None to answer in full. Every cache must ask again before reusing an answer
    (``no-cache``), and only the caller's own (``private``)."""
    response.headers["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    answer = get_conditional_response(request, etag=etag, response=response)
    if answer is response:
        return None
    if answer.status_code == 412:  # If-Match or If-Unmodified-Since, which these reads cannot meet
        raise ApiError(_("This request's If-Match or If-Unmodified-Since condition is not met: "
                         "these answers have weak ETags, for If-None-Match."),
                       code="precondition_failed").with_status(412)
    return answer
