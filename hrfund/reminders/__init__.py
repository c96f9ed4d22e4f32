"""Reminder rules, exactly-once deliveries (e-mail and in-app), notifications, calendar feeds."""
