from django.contrib import admin

from flrts.core.admin_base import DocumentAdmin, PermissionAdmin
from flrts.reminders.models import Reminder, ReminderDelivery


@admin.register(Reminder)
class ReminderAdmin(DocumentAdmin):
    list_display = ["name", "title", "status", "remind_at", "next_fire_at", "recurrence"]
    list_display_links = ["name", "title"]
    list_filter = ["status", "time_zone"]
    search_fields = ["name", "title", "description"]
    filter_horizontal = ["recipients"]
    autocomplete_fields = ["related_task"]
    fields = [
        "name_display",
        "title",
        "description",
        "recipients",
        "remind_at",
        "time_zone",
        "recurrence",
        "related_task",
        "status",
        "next_fire_at",
        "last_sent_at",
        "standard_fields",
    ]
    readonly_fields = ["last_sent_at"]


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(PermissionAdmin):
    list_display = ["reminder", "recipient", "occurrence", "due_at", "status", "late", "sent_at"]
    list_filter = ["status", "late", "kind"]
    search_fields = ["reminder__name", "reminder__title"]
    readonly_fields = [f.name for f in ReminderDelivery._meta.fields]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
