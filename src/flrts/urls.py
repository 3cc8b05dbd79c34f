from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from flrts.core import views as core_views

urlpatterns = [
    path("", RedirectView.as_view(url="/desk/", permanent=False)),
    path("desk/", admin.site.urls),
    path("api/", include("flrts.api.urls")),
    path("private/files/<path:path>", core_views.private_file, name="private-file"),
    path("files/<path:path>", core_views.public_file, name="public-file"),
]
