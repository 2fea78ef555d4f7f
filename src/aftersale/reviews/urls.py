from django.urls import path

from aftersale.reviews import views, views_plans, views_trust

urlpatterns = [
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/edit/", views.review_edit, name="review_edit"),
    path("accounts/<int:pk>/reviews/", views.account_reviews, name="account_reviews"),
    path("accounts/<int:pk>/reviews/new/", views.review_new, name="review_new"),
    path("plans/", views_plans.joint_plan_list, name="joint_plan_list"),
    path("plans/<int:pk>/items/", views_plans.plan_item_add, name="plan_item_add"),
    path("plans/items/<int:pk>/status/", views_plans.plan_item_status, name="plan_item_status"),
    path("accounts/<int:pk>/plans/", views_plans.account_plans, name="account_plans"),
    path("accounts/<int:pk>/plans/new/", views_plans.plan_create, name="plan_create"),
    path("accounts/<int:pk>/expectations/", views_plans.expectation_add, name="expectation_add"),
    path("expectations/<int:pk>/assess/", views_plans.expectation_assess, name="expectation_assess"),
    path("trust/", views_trust.trust_list, name="trust_list"),
    path("accounts/<int:pk>/trust/", views_trust.account_trust, name="account_trust"),
    path("accounts/<int:pk>/trust/new/", views_trust.trust_new, name="trust_new"),
    path("reports/face-time/", views_trust.face_time_report, name="face_time_report"),
    path("reports/trust-pays/", views_trust.trust_pays, name="trust_pays"),
]
