from __future__ import annotations

from django.contrib import admin
from django.utils import timezone

from flrts.core.admin_base import DocumentAdmin, PermissionAdmin
from flrts.core.display import pill, when
from flrts.core.timezones import zone
from flrts.reminders.models import Reminder, ReminderDelivery
from flrts.reminders.words import describe


@admin.register(Reminder)
class ReminderAdmin(DocumentAdmin):
    list_display = ["name", "title", "status_pill", "remind_at", "next_fire_at", "repeats"]
    list_display_links = ["name", "title"]
    list_filter = ["status", "time_zone"]
    search_fields = ["name", "title", "description"]
    filter_horizontal = ["recipients"]
    mine_filters = [("for_me", "For me", "recipients"), ("created", "Created by me", "owner")]
    autocomplete_fields = ["related_task"]
    fields = [
        "name_display",
        "title",
        "description",
        "recipients",
        "remind_at",
        "time_zone",
        "recurrence",
        "repeats",
        "related_task",
        "status",
        "next_fire_at",
        "last_sent_at",
        "standard_fields",
    ]
    readonly_fields = ["last_sent_at", "repeats"]
    field_help = {
        "remind_at": "When it first fires, in your time zone: {zone}. Stored in UTC.",
        "time_zone": "The zone a repeating reminder keeps its clock time in: 08:00 there stays "
        "08:00 across daylight-saving changes.",
        "recurrence": "How it repeats, as an RFC 5545 RRULE (FREQ=WEEKLY;BYDAY=MO is every "
        "Monday); empty for once. Shown in words below once saved.",
        "next_fire_at": "The next time it fires, in your time zone: {zone}.",
        "recipients": "Who is reminded (by Telegram or email, as each person chose).",
    }

    @admin.display(description="Status", ordering="status")
    def status_pill(self, obj: Reminder) -> str:
        return pill(obj.status)

    @admin.display(description="Repeats")
    def repeats(self, obj: Reminder) -> str:
        """The rule in words, on the reminder's own clock; its zone named when not the reader's."""
        if obj.remind_at is None:
            return "-"
        own = zone(obj.time_zone)
        words = describe(obj.recurrence, obj.remind_at.astimezone(own))
        if not obj.recurrence:
            return f"once, {when(obj.remind_at)}"
        if getattr(timezone.get_current_timezone(), "key", "") != obj.time_zone:
            return f"{words} ({obj.time_zone})"
        return words


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
