from django.urls import path

from aftersale.purchasing import views

app_name = "purchasing"

urlpatterns = [
    path("suppliers/", views.supplier_list, name="supplier_list"),
    path("suppliers/report/", views.partnership_report, name="partnership_report"),
    path("suppliers/<int:pk>/", views.supplier_detail, name="supplier_detail"),
]
