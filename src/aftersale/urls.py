"""Root URL configuration: each app brings its own ``urls`` module."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("aftersale.staff.urls")),
    path("", include("aftersale.web.urls")),
    path("imports/", include("aftersale.imports.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
