from django.apps import AppConfig


class BotConfig(AppConfig):
    name = "flrts.bot"
    label = "bot"
    verbose_name = "Telegram bot"

    def ready(self) -> None:
        from flrts.bot.worker import UpdateWorkerThread

        # In ready(): apps.py is imported before models may be; these modules read models.
        from flrts.jobs.workers import register_companion, register_startup
        from flrts.nlp.warmup import warm_up  # in ready(): the parser's data reads models

        # `flrts worker` runs the update loop beside its jobs; jobs must not import the bot.
        register_companion("telegram-updates", UpdateWorkerThread)
        # The worker parses updates: load the parser's data before the first one.
        register_startup("parser-warm-up", warm_up)
