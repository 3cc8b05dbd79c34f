from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "flrts.desk"
    label = "desk"
    verbose_name = "Desk"
