from django.urls import path

from aftersale.api.main import api

urlpatterns = [path("", api.urls)]
