from django.contrib import admin

from flrts.core.admin_base import DocumentAdmin
from flrts.org.models import Contractor, Site


@admin.register(Site)
class SiteAdmin(DocumentAdmin):
    list_display = ["site_name", "site_code", "location", "time_zone", "is_active"]
    list_filter = ["is_active", "time_zone"]
    search_fields = ["site_name", "site_code", "location"]
    fields = [
        "site_name",
        "site_code",
        "aliases",
        "location",
        "time_zone",
        "is_active",
        "latitude",
        "longitude",
    ]


@admin.register(Contractor)
class ContractorAdmin(DocumentAdmin):
    list_display = ["contractor_name", "contractor_type", "contact_email", "is_active"]
    list_filter = ["contractor_type", "is_active", "sites"]
    search_fields = ["contractor_name", "contact_email"]
    filter_horizontal = ["sites"]
    fields = [
        "contractor_name",
        "contractor_type",
        "contact_email",
        "contact_phone",
        "sites",
        "is_active",
    ]
