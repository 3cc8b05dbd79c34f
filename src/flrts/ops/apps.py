from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "flrts.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.core.signals import got_request_exception

        from flrts.ops.errors import log_request_exception

        # Any unhandled request error (desk, files, health) lands in the Error Log.
        got_request_exception.connect(log_request_exception, dispatch_uid="flrts.ops.errors")
