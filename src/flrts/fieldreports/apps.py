from django.apps import AppConfig


class FieldReportsConfig(AppConfig):
    name = "flrts.fieldreports"
    label = "fieldreports"
    verbose_name = "Field reports"

    def ready(self) -> None:
        # In ready(): apps.py is imported before models may be; core.files reads models.
        from flrts.core.files import register_private_prefix

        register_private_prefix("field-reports/", _may_read_attachment)


def _may_read_attachment(user: object, path: str) -> bool:
    # Here, not at the top: apps.py is imported before models may be.
    from flrts.core.permissions import Action, can
    from flrts.fieldreports.models import Attachment

    attachment = Attachment.objects.select_related("report").filter(file=path).first()
    return attachment is not None and can(user, Action.READ, attachment.report)
