"""Mounted at /telegram/ (flrts.urls): the webhook. The chat page under /telegram/chat/ is
capture's (`flrts.capture.urls`)."""

from django.urls import path

from flrts.bot import webhook

urlpatterns = [
    path("webhook", webhook.webhook, name="telegram-webhook"),
    path("webhook/", webhook.webhook),
]
