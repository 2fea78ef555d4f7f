from django.urls import path

from aftersale.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("alerts/<int:pk>/acknowledge/", views.acknowledge_alert, name="alert_acknowledge"),
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/touchpoints/new/", views.log_touchpoint, name="log_touchpoint"),
]
