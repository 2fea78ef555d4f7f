from django.urls import path

from aftersale.engagement import views

urlpatterns = [
    path("ideas/", views.idea_list, name="idea_list"),
    path("ideas/<int:pk>/decide/", views.idea_decide, name="idea_decide"),
    path("information/", views.info_list, name="info_list"),
    path("accounts/<int:pk>/ideas/", views.account_ideas, name="account_ideas"),
    path("accounts/<int:pk>/information/", views.account_info, name="account_info"),
]
