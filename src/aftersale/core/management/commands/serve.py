"""``aftersale serve``: the web server (gunicorn) on 127.0.0.1:$PORT."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from aftersale.core import conf


class Command(BaseCommand):
    help = "Serve Aftersale with gunicorn (static files through WhiteNoise)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default=None, help="address:port (default 127.0.0.1:$PORT)")
        parser.add_argument("--workers", type=int, default=None, help="default: $WEB_CONCURRENCY")

    def handle(self, *args, bind: str | None, workers: int | None, **options) -> None:
        from gunicorn.app.wsgiapp import WSGIApplication

        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        bind = bind or f"127.0.0.1:{conf.env('PORT')}"
        workers = workers or conf.env("WEB_CONCURRENCY")
        self.stdout.write(f"Serving Aftersale at http://{bind}/")

        class Application(WSGIApplication):
            def load_config(self) -> None:
                self.cfg.set("bind", bind)
                self.cfg.set("workers", workers)
                self.cfg.set("accesslog", "-")

            def load(self):
                from django.core.wsgi import get_wsgi_application

                return get_wsgi_application()

        Application("aftersale serve").run()
