from django.urls import path

from aftersale.health import views

urlpatterns = [
    path("health/", views.model_page, name="health_model"),
    path("health/accounts/<int:pk>/", views.account_health, name="account_health"),
    path("health/proof/", views.proof_page, name="health_proof"),
    path("health/proof/run/", views.start_backtest, name="health_start_backtest"),
    path("health/proof/<int:pk>/apply/", views.apply_weights, name="health_apply_weights"),
]
