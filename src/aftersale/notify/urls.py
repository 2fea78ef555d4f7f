from django.urls import path

from aftersale.notify import views

urlpatterns = [
    path("notifications/", views.notification_settings, name="notify_settings"),
    path("notifications/calendar/", views.calendar_link, name="notify_calendar_link"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="notify_unsubscribe"),
    path("calendar/<str:key>.ics", views.calendar_feed, name="notify_calendar"),
]
