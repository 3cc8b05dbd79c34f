"""Tasks and sub-tasks, ERPNext-shaped."""
