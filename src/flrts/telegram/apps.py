from django.apps import AppConfig


class TelegramConfig(AppConfig):
    name = "flrts.telegram"
    label = "telegram"
    verbose_name = "Telegram"
    default_auto_field = "django.db.models.BigAutoField"
