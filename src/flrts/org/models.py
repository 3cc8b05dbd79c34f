from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from flrts.core.models import Document, PermKind
from flrts.core.timezones import validate_timezone


class Site(Document):
    doctype = "Site"
    name_field = "site_name"
    title_field = "site_name"
    perm_kind = PermKind.REFERENCE

    site_name = models.CharField(max_length=140, unique=True)
    site_code = models.CharField(max_length=20, unique=True, null=True, blank=True)
    aliases = models.JSONField(default=list, blank=True, help_text="Other names, for the parser")
    location = models.CharField(max_length=255, blank=True, help_text="City, state or coordinates")
    time_zone = models.CharField(
        max_length=64, default="America/Chicago", validators=[validate_timezone]
    )
    is_active = models.BooleanField(default=True)
    latitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text="Decimal degrees; a Telegram location near it picks this site",
    )
    longitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text="Decimal degrees",
    )

    class Meta:
        ordering = ["site_name"]

    def __str__(self) -> str:
        return self.site_name


class ContractorType(models.TextChoices):
    EQUIPMENT = "Equipment Maintenance"
    ELECTRICAL = "Electrical"
    PLUMBING = "Plumbing"
    HVAC = "HVAC"
    GENERAL = "General Labor"
    OTHER = "Other"


class Contractor(Document):
    doctype = "Contractor"
    name_field = "contractor_name"
    title_field = "contractor_name"
    perm_kind = PermKind.REFERENCE

    contractor_name = models.CharField(max_length=140, unique=True)
    contractor_type = models.CharField(
        max_length=40, choices=ContractorType.choices, default=ContractorType.OTHER
    )
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    sites = models.ManyToManyField(Site, blank=True, related_name="contractors")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["contractor_name"]

    def __str__(self) -> str:
        return self.contractor_name
