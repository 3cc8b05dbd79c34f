"""The reports' scheduled jobs (the daily report at `daily_report_time`, the monitors at the
original's times) are declared on their functions; importing the modules declares them."""

from flrts.reports import daily, monitors  # noqa: F401  (@scheduled declarations)
