from django.apps import AppConfig


class BotConfig(AppConfig):
    name = "flrts.bot"
    label = "bot"
    verbose_name = "Telegram bot"

    def ready(self) -> None:
        from flrts.bot.worker import UpdateWorkerThread

        # In ready(): apps.py is imported before models may be; these modules read models.
        from flrts.jobs.workers import register_companion

        # `flrts worker` runs the update loop beside its jobs; jobs must not import the bot.
        register_companion("telegram-updates", UpdateWorkerThread)
