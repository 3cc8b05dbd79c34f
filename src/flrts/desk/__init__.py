"""The web desk: the Django admin, customised for a field team."""
