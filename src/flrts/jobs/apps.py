from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "flrts.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # In ready(): apps.py is imported before models may be; the hooks module reads models.
        from flrts.core.hooks import after_migrate
        from flrts.jobs.registry import sync_scheduled_jobs

        # Every installed app may declare scheduled jobs in its own `schedule.py`.
        autodiscover_modules("schedule")
        after_migrate(sync_scheduled_jobs)
