"""The desk's navigation: the registered pages grouped by what people do with them, instead of
Django's alphabetical list of apps ("Tasks database backend → Task results").

A page not named here lands in "System", so a new DocType is never hidden; what each person sees
is still decided by each page's own permission check.
"""

from __future__ import annotations

from typing import Any

GROUPS: list[tuple[str, list[str]]] = [
    ("Work", ["tasks.task", "fieldreports.fieldreport", "reminders.reminder", "lists.flrtslist"]),
    ("People and places", ["people.user", "org.site", "org.contractor", "people.telegramlinkcode"]),
    (
        "Capture and parsing",
        ["capture.proposal", "nlp.parserlog", "telegram.telegramupdate", "telegram.outboxmessage"],
    ),
    ("Reports", ["reports.dailyreport", "reports.monitorstate", "reports.monitorsettings"]),
    (
        "Integrations",
        [
            "api.apikey",
            "integrations.webhook",
            "integrations.webhookrequestlog",
            "integrations.erpnextsettings",
            "integrations.syncrecord",
            "integrations.erpnextexchange",
        ],
    ),
]
OTHER = "System"
# Names that read better than the models' plural names.
NAMES = {
    "django_tasks_db.dbtaskresult": "Queue results (database backend)",
    "telegram.outboxmessage": "Telegram outbox",
    "reminders.reminderdelivery": "Reminder deliveries",
}


def _slug(title: str) -> str:
    return title.lower().replace(" ", "-")


def grouped(app_list: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Django's app list regrouped into the desk's sections, in a fixed order."""
    order = {
        label: (g, i) for g, (_, labels) in enumerate(GROUPS) for i, label in enumerate(labels)
    }
    sections: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for app in app_list:
        for model in app["models"]:
            label = model["model"]._meta.label_lower
            group, idx = order.get(label, (len(GROUPS), 0))
            model = {**model, "name": NAMES.get(label, model["name"])}
            sections.setdefault(group, []).append((idx, model))
    out = []
    for group in sorted(sections):
        title = GROUPS[group][0] if group < len(GROUPS) else OTHER
        models = [
            m for _, m in sorted(sections[group], key=lambda pair: (pair[0], pair[1]["name"]))
        ]
        first = next((m["admin_url"] for m in models if m.get("admin_url")), "#")
        out.append(
            {
                "name": title,
                "app_label": _slug(title),
                "app_url": first,
                "has_module_perms": True,
                "models": models,
            }
        )
    return out
