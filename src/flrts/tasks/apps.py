from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "flrts.tasks"
    label = "tasks"
    verbose_name = "Tasks"

    def ready(self) -> None:
        from flrts.tasks import assignments

        assignments.connect()
