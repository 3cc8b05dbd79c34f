"""The reports' scheduled jobs (imported by flrts.jobs at startup).

The daily report runs at `daily_report_time` (HH:MM, default 18:00) in the site's zone, which is
the zone the scheduler reads cron expressions in; the monitors at the original's times.
"""

from flrts.jobs import registry
from flrts.reports.daily import report_cron

registry.register("cron", "flrts.reports.daily.scheduled_daily_report", cron=report_cron())
registry.register("cron", "flrts.reports.monitors.check_parser_success_rate", cron="0 9 * * *")
registry.register("cron", "flrts.reports.monitors.check_openai_cost", cron="0 18 * * *")
# Failed jobs, stalled queue, scheduler, webhook errors.
registry.register("cron", "flrts.reports.monitors.check_system", cron="*/5 * * * *")
