from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "flrts.reminders"
    label = "reminders"
    verbose_name = "Reminders"
