from django.apps import AppConfig


class NlpConfig(AppConfig):
    name = "flrts.nlp"
    label = "nlp"
    verbose_name = "Parsing"

    def ready(self) -> None:
        # The parse context is cached for the bot; saving a person, site, contractor or list
        # must drop that cache so the next message sees the change.
        from flrts.nlp.context import connect_invalidation

        connect_invalidation()
