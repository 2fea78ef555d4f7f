from django.urls import path

from aftersale.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("preview/", views.preview, name="preview"),
    path("confirm/", views.confirm, name="confirm"),
    path("cancel/", views.cancel, name="cancel"),
    path("export/<slug:kind>.csv", views.export, name="export"),
]
