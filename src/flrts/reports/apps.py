from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "flrts.reports"
    label = "reports"
    verbose_name = "Reports and monitors"

    def ready(self) -> None:
        # In ready(): apps.py is imported before models may be; these modules read models.
        from flrts.core.files import register_private_prefix
        from flrts.reports.access import may_read_report_file
        from flrts.reports.models import DAILY_REPORT_DIR

        # Daily report PDFs: only people who may see reports, and only files of a report.
        register_private_prefix(DAILY_REPORT_DIR, may_read_report_file)
