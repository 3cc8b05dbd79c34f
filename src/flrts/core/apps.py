from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "flrts.core"
    label = "core"
    verbose_name = "Core"
