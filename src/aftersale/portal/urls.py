"""The portal, mounted at /portal/. Every page here is covered by tests/portal/test_scoping.py,
which enumerates these patterns: a new page must say there who may reach it."""

from django.urls import path

from aftersale.portal import views, views_access

app_name = "portal"

urlpatterns = [
    # Public: signing in and getting a password.
    path("login/", views_access.PortalLoginView.as_view(), name="login"),
    path("logout/", views_access.PortalLogoutView.as_view(), name="logout"),
    path("password-reset/", views_access.password_reset, name="password_reset"),
    path("password-reset/sent/", views_access.password_reset_done, name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views_access.password_reset_confirm,
         name="password_reset_confirm"),
    path("password-reset/done/", views_access.password_reset_complete, name="password_reset_complete"),
    path("invitation/accept/", views_access.invitation_accept, name="invitation_accept"),
    path("invitation/<str:token>/", views_access.invitation, name="invitation"),
    # The contact's pages.
    path("", views.home, name="home"),
    path("equipment/", views.equipment_list, name="equipment_list"),
    path("equipment/<int:pk>/", views.equipment_detail, name="equipment_detail"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/reorder/", views.order_reorder, name="order_reorder"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/reply/", views.request_comment, name="request_comment"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    path("promises/", views.promise_list, name="promises"),
    path("plan/", views.plan, name="plan"),
    path("plan/items/<int:pk>/status/", views.plan_item_status, name="plan_item_status"),
    path("plan/expectations/", views.expectation_add, name="expectation_add"),
    path("survey/", views.survey, name="survey"),
    path("survey/decline/", views.survey_decline, name="survey_decline"),
    # Staff: give and take away access (from the account page's contacts).
    path("staff/contacts/<int:pk>/invite/", views_access.staff_invite, name="staff_invite"),
    path("staff/contacts/<int:pk>/revoke/", views_access.staff_revoke, name="staff_revoke"),
]
