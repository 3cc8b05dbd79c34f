from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "flrts.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # ready(): these modules read models, which are loaded only now.
        from flrts.api import bot_methods, capture_methods, client, linknames, lookups  # noqa: F401 - registers

        lookups.register()
        linknames.connect()
        autodiscover_modules("methods")
