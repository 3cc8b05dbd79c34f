from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "flrts.people"
    label = "people"
    verbose_name = "People"
