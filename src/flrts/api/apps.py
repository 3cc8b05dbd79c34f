from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "flrts.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # ready(): these modules read models, which are loaded only now.
        from flrts.api import (  # noqa: F401 - registers the methods
            bot_methods,
            capture_methods,
            client,
            linknames,
            lookups,
            password,
            printing,
            uploads,
            workflow,
        )

        lookups.register()
        linknames.connect()
        autodiscover_modules("methods")
