from django.urls import path

from flrts.api import views

urlpatterns = [
    path("method/ping", views.ping),
    path("method/ping/", views.ping),
]
