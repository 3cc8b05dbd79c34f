"""Reminders: one-off or recurring (RRULE), in the zone they were set in."""
