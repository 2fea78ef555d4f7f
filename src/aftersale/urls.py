"""Root URL configuration: each app brings its own ``urls`` module."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from aftersale.staff.views import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    # Early: integrations poll it, and nothing else lives under api/.
    path("api/", include("aftersale.api.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("aftersale.staff.urls")),
    path("", include("aftersale.web.urls")),
    path("", include("aftersale.promises.urls")),
    path("service/", include("aftersale.service.urls")),
    path("", include("aftersale.commerce.urls")),
    path("", include("aftersale.reviews.urls")),
    path("", include("aftersale.engagement.urls")),
    path("", include("aftersale.health.urls")),
    path("imports/", include("aftersale.imports.urls")),
    path("portal/", include("aftersale.portal.urls")),
    path("", include("aftersale.notify.urls")),
    path("", include("aftersale.ops.urls")),
    path("", include("aftersale.purchasing.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
