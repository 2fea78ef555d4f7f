"""API requests skip the middleware that only the web pages need.

The web pages run a dozen middleware: sessions, CSRF, sign-in throttling,
messages, htmx, the signed-in person's language. An API request carries a
bearer token instead of a session cookie, so none of that applies to it,
yet running it cost about as much as answering the request
(bench/api_load.py). ``ApiMiddleware`` sits near the top of
``settings.MIDDLEWARE``: a request under ``/api/`` goes down a short chain of
its own (``API_MIDDLEWARE``: language from ``Accept-Language``, Django's
common handling, the audit trail's context for writes, clickjacking
protection for the HTML docs page) to the same URL resolver and views; every
other request goes on down the full chain as before. Security and static
files run before this middleware, so they apply to both.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

API_PREFIX = "/api/"

# In the order of settings.MIDDLEWARE. Audit context only matters for requests that may write.
API_MIDDLEWARE = (
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "aftersale.api.middleware.WriteAuditContext",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so its answers pass through the others like a view's: the hottest reads.
    "aftersale.api.hot.HotReads",
)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Handler = Callable[[HttpRequest], HttpResponse]


class WriteAuditContext:
    """The audit trail's request context (address, correlation id) for requests that may
    change data; reads skip it, as they record nothing."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        from auditlog.middleware import AuditlogMiddleware

        self.audit = AuditlogMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in READ_METHODS:
            return self.get_response(request)
        return self.audit(request)


class _ApiHandler(BaseHandler):
    """Django's request handling (URL resolving, view middleware, the view) behind the
    API's own middleware, built the way ``BaseHandler.load_middleware`` builds the full chain."""

    def __init__(self, middleware: tuple[str, ...]) -> None:
        super().__init__()
        self._view_middleware: list = []
        self._template_response_middleware: list = []
        self._exception_middleware: list = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(middleware):
            instance = import_string(path)(handler)
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self.chain = handler


class ApiMiddleware:
    """Sends ``/api/`` requests down the API's short chain, everything else down the full one."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.api = _ApiHandler(API_MIDDLEWARE).chain

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            # Nobody until the token says who: code that looks at request.user before
            # authentication (the audit context, error pages) sees an anonymous visitor.
            request.user = AnonymousUser()
            return self.api(request)
        return self.get_response(request)
