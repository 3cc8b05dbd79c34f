"""People: users with their Telegram identity, time zone, role and notification preferences."""
