from django.urls import path

from aftersale.promises import reports, views

urlpatterns = [
    path("promises/", views.promise_list, name="promise_list"),
    path("promises/new/", views.promise_create, name="promise_create"),
    path("promises/alignment/", reports.alignment, name="promise_alignment"),
    path("promises/departments/<str:department>/", reports.department, name="promise_department"),
    path("promises/<int:pk>/", views.promise_detail, name="promise_detail"),
    path("promises/<int:pk>/edit/", views.promise_edit, name="promise_edit"),
    path("promises/<int:pk>/status/", views.promise_status, name="promise_status"),
]
