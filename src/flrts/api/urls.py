from django.urls import re_path

from flrts.api import views

urlpatterns = [
    re_path(r"^(?P<rest>.*)$", views.api),
]
