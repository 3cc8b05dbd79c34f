from django.apps import AppConfig


class BotConfig(AppConfig):
    name = "flrts.bot"
    label = "bot"
    verbose_name = "Telegram bot"

    def ready(self) -> None:
        # ready() runs once the app registry is loaded: the worker module reads models.
        from flrts.bot.worker import UpdateWorkerThread
        from flrts.jobs.workers import register_companion

        # `flrts worker` runs the update loop beside its jobs; jobs must not import the bot.
        register_companion("telegram-updates", UpdateWorkerThread)
