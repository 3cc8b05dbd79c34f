from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "flrts.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from flrts.integrations import events

        # In ready(): apps.py is imported before models may be; both modules read models.
        from flrts.jobs.maintenance import Retention, register_retention

        events.connect()
        register_retention(
            Retention(
                "integrations.WebhookRequestLog", "creation", "retention_webhook_logs_days", 30
            )
        )
        register_retention(
            Retention("integrations.ERPNextExchange", "creation", "retention_erpnext_log_days", 30)
        )
