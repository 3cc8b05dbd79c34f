from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "flrts.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from flrts.core.attachments import PREFIX, may_read_path
        from flrts.core.files import register_private_prefix

        # Files attached on the form timeline are read by whoever may read their record.
        register_private_prefix(PREFIX, may_read_path)
