from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "flrts.lists"
    label = "lists"
    verbose_name = "Lists"
