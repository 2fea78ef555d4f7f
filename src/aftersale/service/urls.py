from django.urls import path

from aftersale.service import views

app_name = "service"

urlpatterns = [
    path("", views.service_board, name="board"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/status/", views.case_status, name="case_status"),
    path("cases/<int:pk>/response/", views.case_response, name="case_response"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/comment/", views.case_comment, name="case_comment"),
    path("cases/<int:pk>/work/", views.case_work, name="case_work"),
    path("cases/<int:pk>/attachments/", views.case_attach, name="case_attach"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("assets/<int:pk>/", views.asset_detail, name="asset_detail"),
    path("maintenance/", views.maintenance_list, name="maintenance"),
    path(
        "maintenance/<int:plan_pk>/<int:asset_pk>/complete/", views.maintenance_complete,
        name="maintenance_complete",
    ),
]
