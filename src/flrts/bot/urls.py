"""Mounted at /telegram/ (flrts.urls): the webhook and the desk's chat page."""

from django.urls import path

from flrts.capture import views as capture_views
from flrts.telegram import webhook

urlpatterns = [
    path("webhook", webhook.webhook, name="telegram-webhook"),
    path("webhook/", webhook.webhook),
    path("chat/", capture_views.chat_page, name="capture-chat"),
    path("chat/send", capture_views.chat_send, name="capture-chat-send"),
    path("chat/action", capture_views.chat_action, name="capture-chat-action"),
    path("chat/outbox", capture_views.chat_outbox, name="capture-chat-outbox"),
]
