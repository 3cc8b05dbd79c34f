from django.contrib.admin.apps import AdminConfig


class DeskAdminConfig(AdminConfig):
    """Django's admin app, with the FLRTS desk site as `admin.site`."""

    default_site = "flrts.desk.site.DeskSite"
