from django.db import models


class Role(models.TextChoices):
    ADMIN = "Admin"
    SUPERVISOR = "Supervisor"
    WORKER = "Worker"
    VIEWER = "Viewer"
