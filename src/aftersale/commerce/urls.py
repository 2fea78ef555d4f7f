from django.urls import path

from aftersale.commerce import order_views, views

urlpatterns = [
    path("economics/", views.portfolio, name="economics_portfolio"),
    path("economics/rates/", views.exchange_rates, name="exchange_rates"),
    path("quotes/", views.quote_list, name="quote_list"),
    path("orders/", order_views.order_list, name="order_list"),
    path("accounts/<int:account_pk>/orders/<int:pk>/", order_views.order_detail,
         name="order_detail"),
    path("accounts/<int:account_pk>/economics/", views.account_economics_section,
         name="account_economics"),
    path("accounts/<int:account_pk>/quotes/new/", views.quote_create, name="quote_create"),
    path("accounts/<int:account_pk>/quotes/<int:pk>/", views.quote_detail, name="quote_detail"),
    path("accounts/<int:account_pk>/quotes/<int:pk>/edit/", views.quote_edit, name="quote_edit"),
    path("accounts/<int:account_pk>/quotes/<int:pk>/print/", views.quote_print, name="quote_print"),
    path("accounts/<int:account_pk>/quotes/<int:pk>/send/", views.quote_send, name="quote_send"),
    path("accounts/<int:account_pk>/quotes/<int:pk>/close/", views.quote_close, name="quote_close"),
]
