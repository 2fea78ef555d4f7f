from django.urls import path

from aftersale.ops import views

urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
]
