"""The desk's chat page, mounted at /telegram/chat/ (flrts.urls) where it has always been."""

from django.urls import path

from flrts.capture import upload_views, views

urlpatterns = [
    path("chat/", views.chat_page, name="capture-chat"),
    path("chat/send", views.chat_send, name="capture-chat-send"),
    path("chat/action", views.chat_action, name="capture-chat-action"),
    path("chat/upload", upload_views.chat_upload, name="capture-chat-upload"),
    path("chat/history", views.chat_history, name="capture-chat-history"),
    path("chat/outbox", views.chat_outbox, name="capture-chat-outbox"),
]
