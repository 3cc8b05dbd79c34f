"""The filters the Kanban and the calendar share: site, assignee, priority (from the query
string, validated like any other input: a wrong value is a 400 that names the field)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet, Value

from flrts.core.permissions import readable
from flrts.org.models import Site
from flrts.people.models import User
from flrts.tasks.models import Priority, Task


class BoardFilters(forms.Form):
    site = forms.ModelChoiceField(
        queryset=Site.objects.filter(is_active=True, archived=False), required=False
    )
    assignee = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), required=False)
    priority = forms.ChoiceField(choices=[("", "Any"), *Priority.choices], required=False)

    def __init__(self, data: Any) -> None:
        super().__init__({k: data.get(k, "") for k in ("site", "assignee", "priority")})
        for name, label in (("site", "All sites"), ("assignee", "Anyone")):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.empty_label = label

    def errors_text(self) -> str:
        return "; ".join(
            f"{name}: {' '.join(map(str, errs))}" for name, errs in self.errors.items()
        )

    def tasks(self, user: Any) -> QuerySet[Task]:
        """The tasks `user` may read that match; call after is_valid()."""
        # Value(False) keeps "archived = false" an equality the board indexes can seek on
        # (a plain False becomes "NOT archived", which they cannot).
        query = readable(user, Task.objects.filter(archived=Value(False)))
        data = self.cleaned_data
        if data.get("site"):
            query = query.filter(site=data["site"])
        if data.get("assignee"):
            query = query.filter(assigned_to=data["assignee"])
        if data.get("priority"):
            query = query.filter(priority=data["priority"])
        return query

    def query_string(self) -> str:
        """The filters as they came, for links that keep them."""
        return urlencode({k: v for k, v in self.data.items() if v})
