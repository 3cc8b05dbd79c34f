"""API keys in the desk: making a key shows its secret once; the desk keeps only its hash."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from flrts.api.models import ApiKey
from flrts.core.permissions import role_of
from flrts.core.roles import Role
from flrts.people.models import User


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["user"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Admins make keys for anyone; everyone else for themselves. "Add" replaces a user's key."""

    form = ApiKeyForm
    list_display = ["user", "api_key", "creation", "last_used"]
    readonly_fields = ["api_key", "creation", "last_used"]
    search_fields = ["user__email", "user__username", "api_key"]

    def _admin(self, request: HttpRequest) -> bool:
        return role_of(request.user) is Role.ADMIN

    def has_module_permission(self, request: HttpRequest) -> bool:
        return role_of(request.user) is not None

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return role_of(request.user) is not None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return role_of(request.user) not in (None, Role.VIEWER)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin(request) or (obj is not None and obj.user_id == request.user.pk)

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request).select_related("user")
        return qs if self._admin(request) else qs.filter(user=request.user)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user" and not self._admin(request):
            kwargs["queryset"] = User.objects.filter(pk=int(request.user.pk or 0))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        key, secret = ApiKey.generate(obj.user)
        obj.pk = ApiKey.objects.get(user=obj.user).pk
        obj.api_key = key
        messages.warning(
            request,
            f"API key for {obj.user}: api_key {key}  api_secret {secret}  "
            "(the secret is shown only now; copy it)",
        )
