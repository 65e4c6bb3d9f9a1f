from django.urls import path

from yangfan.notifications import views

app_name = "notifications"

urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/<int:pk>/", views.NotificationOpenView.as_view(), name="open"),
    path("inbox/<int:pk>/read/", views.NotificationReadView.as_view(), name="read"),
    path("inbox/<int:pk>/done/", views.NotificationDoneView.as_view(), name="done"),
    path("webhooks/", views.WebhookListView.as_view(), name="webhooks"),
    path("webhooks/<int:pk>/disable/", views.WebhookDisableView.as_view(), name="webhook_disable"),
    path("webhooks/<str:org>/", views.WebhookNewView.as_view(), name="webhook_new"),
]
