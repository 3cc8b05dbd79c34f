from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from flrts.api import views as api_views
from flrts.core import views as core_views

handler403 = "flrts.core.views.permission_denied"

urlpatterns = [
    path("", api_views.root),  # the desk, or the legacy `/?cmd=` RPC that Frappe clients use
    # The link in a password-reset mail (asked for through the API's reset_password).
    path(
        "desk/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url="/desk/login/"),
        name="password_reset_confirm",
    ),
    path("desk/", admin.site.urls),
    path("api/", include("flrts.api.urls")),
    path("telegram/", include("flrts.bot.urls")),
    path("telegram/", include("flrts.capture.urls")),  # the chat page: /telegram/chat/
    path("private/files/<path:path>", core_views.private_file, name="private-file"),
    path("files/<path:path>", core_views.public_file, name="public-file"),
    path("", include("flrts.ops.urls")),  # /health, /metrics
]
