from django.urls import path

from aftersale.web import account_views, departments, portfolio, views

urlpatterns = [
    path("", views.home, name="home"),
    path("alerts/<int:pk>/acknowledge/", views.acknowledge_alert, name="alert_acknowledge"),
    path("portfolio/", portfolio.portfolio, name="portfolio"),
    path("departments/", departments.departments, name="departments"),
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/<int:pk>/", account_views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/score/", account_views.account_score, name="account_score"),
    path("accounts/<int:pk>/timeline/", account_views.account_timeline, name="account_timeline"),
    path("accounts/<int:pk>/touchpoints/new/", views.log_touchpoint, name="log_touchpoint"),
    path("accounts/<int:pk>/promise-form/", account_views.account_promise_form, name="account_promise_form"),
    path("accounts/<int:pk>/quick/touchpoint/", account_views.quick_touchpoint, name="quick_touchpoint"),
    path("accounts/<int:pk>/quick/promise/", account_views.quick_promise, name="quick_promise"),
    path("accounts/<int:pk>/quick/case/", account_views.quick_case, name="quick_case"),
    path("promises/<int:pk>/quick/keep/", account_views.quick_keep, name="quick_keep"),
]
