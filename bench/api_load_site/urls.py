from django.http import HttpRequest, JsonResponse
from django.urls import path

from aftersale.urls import urlpatterns as product_urls


def trivial(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/trivial", trivial), *product_urls]
