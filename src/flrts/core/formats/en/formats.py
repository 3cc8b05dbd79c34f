"""The one way the desk writes dates and times (Django's FORMAT_MODULE_PATH points here).

Every page that lets Django format a value (list columns, read-only form fields, `{{ value }}` in
a template) and every helper in flrts.core.display use these strings, so a task's due, a report's
build time and an outbox row read the same: `Fri 2026-06-05 08:00 CDT`, in the reader's zone.
"""

DATE_FORMAT = "D Y-m-d"
SHORT_DATE_FORMAT = "D Y-m-d"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "D Y-m-d H:i T"
SHORT_DATETIME_FORMAT = "D Y-m-d H:i T"
