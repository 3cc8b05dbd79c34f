"""The Frappe-compatible REST API: /api/resource and /api/method."""
