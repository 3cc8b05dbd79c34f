from django.contrib import admin

from flrts.core.admin_base import DocumentAdmin
from flrts.lists.models import FlrtsList, ListItem, ListShare


class ListItemInline(admin.TabularInline):
    model = ListItem
    fields = ["idx", "item_text", "quantity", "unit", "is_completed", "done_by", "done_at"]
    extra = 1


class ListShareInline(admin.TabularInline):
    model = ListShare
    fields = ["user", "permission"]
    extra = 0


@admin.register(FlrtsList)
class FlrtsListAdmin(DocumentAdmin):
    list_display = ["name", "list_name", "list_type", "owner", "site"]
    list_display_links = ["name", "list_name"]
    list_filter = ["list_type", "site"]
    search_fields = ["name", "list_name"]
    inlines = [ListItemInline, ListShareInline]
    fields = ["name_display", "list_name", "list_type", "site", "description", "standard_fields"]
