from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "flrts.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from flrts.notify import signals

        signals.connect()
