from django.contrib import admin

from flrts.desk.base import DocumentAdmin
from flrts.reminders.models import Reminder


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
