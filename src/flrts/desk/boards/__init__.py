"""Task boards on the desk: the Kanban by status and the calendar by due date."""
