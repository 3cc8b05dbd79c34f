from django.contrib import admin
from django.http import HttpRequest

from flrts.core.admin_base import PermissionAdmin
from flrts.ops.models import SSHCertificate


@admin.register(SSHCertificate)
class SSHCertificateAdmin(PermissionAdmin):
    list_display = ["key_id", "principal", "valid_after", "valid_before", "issued_by", "issued_at"]
    search_fields = ["key_id", "principal", "issued_by", "fingerprint"]
    readonly_fields = [f.name for f in SSHCertificate._meta.fields]

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False  # issued only by `flrts ssh-ca sign`

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
