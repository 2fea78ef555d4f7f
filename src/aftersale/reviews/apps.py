from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "aftersale.reviews"
    verbose_name = _("Reviews and trust")

    def ready(self) -> None:
        from aftersale.alerts import texts
        from aftersale.alerts.models import AlertKind
        from aftersale.alerts.registry import register
        from aftersale.reviews.alerts import render_review_due, review_due

        register(AlertKind.REVIEW_DUE, review_due)
        texts.register(AlertKind.REVIEW_DUE, render_review_due)
