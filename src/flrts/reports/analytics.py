"""The three analytics reports over the Parser Log and the stored Telegram updates.

Each takes the filters as given (strings from a form or the API), checks them, and returns a
`ReportResult` with columns, rows, a chart and summary figures. Rows are aggregated in Python
from one narrow query: the ranges are bounded (90 days; a year for costs), which keeps the SQL
the same on SQLite, MariaDB and PostgreSQL and days correct in the site's zone across DST.

Fixes against the original Script Reports (flrts-original.md §5):
- a range over the limit is an error, not silently cut to 90 days;
- no cache whose key ignored the user and model filters (the queries are cheap);
- a day with nothing reviewed has no success rate (blank), not 0 %;
- the success rate counts first attempts: a correction's original is Rejected, and the
  correction is counted apart, so parses = accepted + rejected + pending + corrections;
- the monthly projection is the period's run rate (cost / elapsed days × days in the month),
  not "cost / today's day of the month" whatever the range, and the budget status compares it
  with the monthly budget from Monitor Settings instead of a hard-coded $10;
- Message Volume hours are the site's local hours, not the server's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flrts.core.permissions import Action, can, readable
from flrts.fieldreports.models import FieldReport
from flrts.nlp.models import ParserLog
from flrts.reminders.models import Reminder
from flrts.reports.periods import (
    Period,
    days_in_month,
    local_date,
    local_hour,
    parse_choice,
    parse_int,
    parse_text,
    period,
    site_today,
)
from flrts.tasks.models import Task
from flrts.telegram.models import TelegramUpdate, UpdateStatus

MAX_DAYS = 90
MAX_COST_DAYS = 366


@dataclass(frozen=True)
class Column:
    fieldname: str
    label: str
    fieldtype: str = "Data"  # Frappe's: Data, Date, Int, Float, Currency, Percent

    def as_dict(self) -> dict[str, str]:
        return {"fieldname": self.fieldname, "label": self.label, "fieldtype": self.fieldtype}


@dataclass
class Chart:
    kind: str  # line | bar
    title: str
    labels: list[str]
    values: Sequence[float | None]
    unit: str = ""
    y_max: float | None = None
    highlight: list[bool] = field(default_factory=list)  # bars drawn in the alert colour

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.kind,
            "title": self.title,
            "labels": self.labels,
            "values": list(self.values),
            "unit": self.unit,
        }


@dataclass
class ReportResult:
    name: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    chart: Chart | None = None
    summary: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""
    filters: dict[str, Any] = field(default_factory=dict)

    def as_api(self) -> dict[str, Any]:
        return {
            "report": self.name,
            "columns": [c.as_dict() for c in self.columns],
            "rows": self.rows,
            "summary": self.summary,
            "message": self.message,
            "chart": self.chart.as_dict() if self.chart else None,
            "filters": self.filters,
        }


def _money(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.000001")))


def _avg(total: float, count: int, places: int) -> float | None:
    return round(total / count, places) if count else None


def _rate(accepted: int, rejected: int) -> float | None:
    reviewed = accepted + rejected
    return round(accepted * 100.0 / reviewed, 2) if reviewed else None


# Scheduled jobs (the daily report, the monitors) read every row: there is no person asking.
SYSTEM = object()


def _parser_logs(user: Any, p: Period) -> Any:
    rows = ParserLog.objects.all() if user is SYSTEM else readable(user, ParserLog.objects.all())
    return rows.filter(
        archived=False, request_timestamp__gte=p.start_utc, request_timestamp__lt=p.end_utc
    )


# -- Parser Performance --------------------------------------------------------------------


@dataclass
class _ParseDay:
    parses: int = 0
    accepted: int = 0
    rejected: int = 0
    pending: int = 0
    corrections: int = 0
    conf_sum: float = 0.0
    conf_n: int = 0
    ms_sum: float = 0.0
    ms_n: int = 0
    cost: Decimal = field(default_factory=lambda: Decimal(0))

    def add(self, is_correction: bool, outcome: str, conf: Any, ms: Any, cost: Any) -> None:
        self.parses += 1
        if is_correction:
            self.corrections += 1
        elif outcome == "Accepted":
            self.accepted += 1
        elif outcome == "Rejected":
            self.rejected += 1
        else:
            self.pending += 1
        if conf is not None:
            self.conf_sum += float(conf)
            self.conf_n += 1
        if ms is not None:
            self.ms_sum += float(ms)
            self.ms_n += 1
        self.cost += Decimal(cost or 0)

    def merge(self, other: _ParseDay) -> None:
        for name in ("parses", "accepted", "rejected", "pending", "corrections"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.conf_sum += other.conf_sum
        self.conf_n += other.conf_n
        self.ms_sum += other.ms_sum
        self.ms_n += other.ms_n
        self.cost += other.cost

    def row(self) -> dict[str, Any]:
        return {
            "parses": self.parses,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "pending": self.pending,
            "corrections": self.corrections,
            "success_rate": _rate(self.accepted, self.rejected),
            "avg_confidence": _avg(self.conf_sum, self.conf_n, 3),
            "avg_parse_ms": _avg(self.ms_sum, self.ms_n, 1),
            "cost": _money(self.cost),
            "cost_per_parse": _money(self.cost / self.parses) if self.parses else None,
        }


PARSER_COLUMNS = [
    Column("date", "Date", "Date"),
    Column("parses", "Parses", "Int"),
    Column("accepted", "Accepted", "Int"),
    Column("rejected", "Rejected", "Int"),
    Column("pending", "Pending", "Int"),
    Column("corrections", "Corrections", "Int"),
    Column("success_rate", "Success rate (%)", "Percent"),
    Column("avg_confidence", "Avg confidence", "Float"),
    Column("avg_parse_ms", "Avg parse time (ms)", "Float"),
    Column("cost", "Cost (USD)", "Currency"),
    Column("cost_per_parse", "Cost per parse (USD)", "Currency"),
]


def parse_days(user: Any, p: Period, **narrow: Any) -> dict[dt.date, _ParseDay]:
    """Per local day of `p`: the Parser Log counted (shared with the daily report and monitor)."""
    days = {day: _ParseDay() for day in p.each_day()}
    logs = _parser_logs(user, p).filter(**narrow)
    fields = (
        "request_timestamp",
        "is_correction",
        "user_accepted",
        "confidence_score",
        "response_duration_ms",
        "estimated_cost_usd",
    )
    for stamp, is_corr, outcome, conf, ms, cost in logs.values_list(*fields).iterator(2000):
        bucket = days.get(local_date(stamp, p.tz_name))
        if bucket is not None:
            bucket.add(is_corr, outcome, conf, ms, cost)
    return days


def parser_performance(user: Any, filters: Mapping[str, Any]) -> ReportResult:
    p = period(filters.get("from_date"), filters.get("to_date"), default_days=30, max_days=MAX_DAYS)
    tg_user = parse_int(filters.get("telegram_user_id"), "Telegram user id")
    model = parse_text(filters.get("model_name"), "Model name")
    narrow: dict[str, Any] = {}
    if tg_user is not None:
        narrow["telegram_user_id"] = tg_user
    if model:
        narrow["model_name"] = model
    days = parse_days(user, p, **narrow)
    rows = [{"date": day.isoformat(), **bucket.row()} for day, bucket in days.items()]
    total = _ParseDay()
    for bucket in days.values():
        total.merge(bucket)
    t = total.row()
    summary = [
        {"label": "Parses", "value": t["parses"]},
        {"label": "Success rate", "value": _fmt_pct(t["success_rate"])},
        {"label": "Avg confidence", "value": t["avg_confidence"]},
        {"label": "Cost", "value": f"${t['cost']:.4f}"},
    ]
    chart = Chart(
        kind="line",
        title="Success rate (%)",
        labels=[r["date"] for r in rows],
        values=[r["success_rate"] for r in rows],
        unit="%",
        y_max=100.0,
    )
    message = "" if total.parses else "No parses in this range."
    return ReportResult(
        "Parser Performance",
        PARSER_COLUMNS,
        rows,
        chart,
        summary,
        message,
        _echo(p, telegram_user_id=tg_user, model_name=model),
    )


def _fmt_pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _echo(p: Period, **extra: Any) -> dict[str, Any]:
    return {
        "from_date": p.start.isoformat(),
        "to_date": p.end.isoformat(),
        "time_zone": p.tz_name,
        **{k: v for k, v in extra.items() if v not in (None, "")},
    }


# -- OpenAI Cost Tracking ------------------------------------------------------------------


@dataclass
class _Cost:
    requests: int = 0
    prompt: int = 0
    completion: int = 0
    total: int = 0
    cost: Decimal = field(default_factory=lambda: Decimal(0))
    models: set[str] = field(default_factory=set)

    def add(self, model: str, prompt: int, completion: int, total: int, cost: Any) -> None:
        self.requests += 1
        self.prompt += prompt or 0
        self.completion += completion or 0
        self.total += total or (prompt or 0) + (completion or 0)
        self.cost += Decimal(cost or 0)
        self.models.add(model)


def budgets() -> tuple[Decimal, Decimal]:
    from flrts.reports.models import MonitorSettings

    settings_row = MonitorSettings.load()
    return settings_row.daily_cost_budget, settings_row.monthly_cost_budget


def month_projection(month_to_date: Decimal, today: dt.date) -> Decimal:
    """This month's cost at the month-to-date run rate (today counts as a day)."""
    return month_to_date / today.day * days_in_month(today)


def cost_report(user: Any, filters: Mapping[str, Any]) -> ReportResult:
    today = site_today()
    p = period(
        filters.get("from_date"),
        filters.get("to_date"),
        default_days=31,
        max_days=MAX_COST_DAYS,
        default_start=(_end_or_today(filters.get("to_date"), today)).replace(day=1),
    )
    group_by = parse_choice(filters.get("group_by"), "Group by", ("Date", "Model"), "Date")
    model = parse_text(filters.get("model_name"), "Model name")
    logs = _parser_logs(user, p).exclude(model_name="")
    if model:
        logs = logs.filter(model_name=model)
    _daily, monthly = budgets()
    buckets: dict[Any, _Cost] = (
        {day: _Cost() for day in p.each_day()} if group_by == "Date" else defaultdict(_Cost)
    )
    grand = _Cost()
    fields = (
        "request_timestamp",
        "model_name",
        "prompt_tokens",
        "completion_tokens",
        "total_tokens",
        "estimated_cost_usd",
    )
    for stamp, name, prompt, completion, total, cost in logs.values_list(*fields).iterator(2000):
        key = local_date(stamp, p.tz_name) if group_by == "Date" else name
        buckets[key].add(name, prompt, completion, total, cost)
        grand.add(name, prompt, completion, total, cost)

    elapsed = p.elapsed_days(today)
    rows = []
    for key in sorted(buckets):
        bucket = buckets[key]
        if group_by == "Date":
            projected = bucket.cost * days_in_month(key)
            first = {"date": key.isoformat(), "model_name": ", ".join(sorted(bucket.models))}
        else:
            projected = bucket.cost / elapsed * days_in_month(p.end)
            first = {"model_name": key}
        rows.append({**first, **_cost_cells(bucket, projected, monthly)})
    total_projected = grand.cost / elapsed * days_in_month(p.end)
    total_row = {
        ("date" if group_by == "Date" else "model_name"): "Total",
        **({"model_name": ", ".join(sorted(grand.models))} if group_by == "Date" else {}),
        **_cost_cells(grand, total_projected, monthly),
        "is_total": True,
    }
    chart_rows = rows
    rows = [*rows, total_row]

    first_col = (
        [Column("date", "Date", "Date"), Column("model_name", "Models", "Data")]
        if group_by == "Date"
        else [Column("model_name", "Model", "Data")]
    )
    columns = [
        *first_col,
        Column("requests", "Requests", "Int"),
        Column("prompt_tokens", "Prompt tokens", "Int"),
        Column("completion_tokens", "Completion tokens", "Int"),
        Column("total_tokens", "Total tokens", "Int"),
        Column("cost", "Cost (USD)", "Currency"),
        Column("avg_cost_per_request", "Avg cost per request (USD)", "Currency"),
        Column("projected_monthly_cost", "Projected month (USD)", "Currency"),
        Column("budget_status", "Budget status", "Data"),
    ]
    summary: list[dict[str, Any]] = [
        {"label": "Requests", "value": grand.requests},
        {"label": "Cost", "value": f"${_money(grand.cost):.4f}"},
        {"label": "Projected month", "value": f"${_money(total_projected):.2f}"},
        {"label": "Monthly budget", "value": f"${monthly:.2f}"},
    ]
    if p.start <= today <= p.end or (p.end.year, p.end.month) == (today.year, today.month):
        month_logs = _parser_logs(user, _month_to_date(today)).exclude(model_name="")
        if model:
            month_logs = month_logs.filter(model_name=model)
        mtd = sum(
            (Decimal(c or 0) for c in month_logs.values_list("estimated_cost_usd", flat=True)),
            Decimal(0),
        )
        projection = month_projection(mtd, today)
        summary.append({"label": "This month so far", "value": f"${_money(mtd):.4f}"})
        summary.append(
            {
                "label": "This month at this rate",
                "value": f"${_money(projection):.2f}",
                "indicator": "red" if projection > monthly else "green",
            }
        )
    label_key = "date" if group_by == "Date" else "model_name"
    chart = Chart(
        kind="bar",
        title="Cost (USD)" + (" per day" if group_by == "Date" else " per model"),
        labels=[str(r[label_key]) for r in chart_rows],
        values=[r["cost"] for r in chart_rows],
        unit="$",
        highlight=[r["budget_status"] == OVER for r in chart_rows],
    )
    message = "" if grand.requests else "No OpenAI requests in this range."
    return ReportResult(
        "OpenAI Cost Tracking",
        columns,
        rows,
        chart,
        summary,
        message,
        _echo(p, group_by=group_by, model_name=model),
    )


OVER = "Over budget"
UNDER = "Under budget"


def _cost_cells(bucket: _Cost, projected: Decimal, monthly: Decimal) -> dict[str, Any]:
    return {
        "requests": bucket.requests,
        "prompt_tokens": bucket.prompt,
        "completion_tokens": bucket.completion,
        "total_tokens": bucket.total,
        "cost": _money(bucket.cost),
        "avg_cost_per_request": _money(bucket.cost / bucket.requests) if bucket.requests else None,
        "projected_monthly_cost": round(_money(projected), 4),
        "budget_status": OVER if projected > monthly else UNDER,
    }


def _end_or_today(value: Any, today: dt.date) -> dt.date:
    from flrts.reports.periods import parse_date

    return parse_date(value, "To date") or today


def _month_to_date(today: dt.date) -> Period:
    from flrts.reports.periods import site_zone_name

    return Period(start=today.replace(day=1), end=today, tz_name=site_zone_name())


# -- Telegram Message Volume ---------------------------------------------------------------

MESSAGE_KINDS = ("message", "edited_message")
TAP_KINDS = ("callback_query",)


@dataclass
class _Volume:
    messages: int = 0
    taps: int = 0
    users: set[int] = field(default_factory=set)
    records: int = 0
    errors: int = 0
    conf_sum: float = 0.0
    conf_n: int = 0

    def row(self, with_confidence: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "messages": self.messages,
            "button_taps": self.taps,
            "unique_users": len(self.users),
            "records_created": self.records,
            "errors": self.errors,
        }
        if with_confidence:
            out["avg_confidence"] = _avg(self.conf_sum, self.conf_n, 3)
        return out


def _telegram_records(p: Period, tg_user: int | None) -> list[dt.datetime]:
    """Creation times of the tasks, field reports and reminders made from Telegram."""
    stamps: list[dt.datetime] = []
    for model in (Task, FieldReport, Reminder):
        qs = model.objects.filter(
            source="telegram", creation__gte=p.start_utc, creation__lt=p.end_utc
        )
        if tg_user is not None:
            qs = qs.filter(owner__telegram_user_id=tg_user)
        stamps.extend(qs.values_list("creation", flat=True))
    return stamps


def message_volume(user: Any, filters: Mapping[str, Any]) -> ReportResult:
    p = period(filters.get("from_date"), filters.get("to_date"), default_days=7, max_days=MAX_DAYS)
    group_by = parse_choice(filters.get("group_by"), "Group by", ("Date", "Hour"), "Date")
    tg_user = parse_int(filters.get("telegram_user_id"), "Telegram user id")
    by_day = group_by == "Date"
    keys: list[Any] = list(p.each_day()) if by_day else list(range(24))
    buckets = {key: _Volume() for key in keys}

    def key_of(stamp: dt.datetime) -> Any:
        return local_date(stamp, p.tz_name) if by_day else local_hour(stamp, p.tz_name)

    updates = TelegramUpdate.objects.filter(received_at__gte=p.start_utc, received_at__lt=p.end_utc)
    if not can(user, Action.READ, TelegramUpdate):
        updates = updates.none()
    if tg_user is not None:
        updates = updates.filter(telegram_user_id=tg_user)
    fields = ("received_at", "kind", "telegram_user_id", "status")
    for stamp, kind, uid, status in updates.values_list(*fields).iterator(2000):
        bucket = buckets.get(key_of(stamp))
        if bucket is None:
            continue
        if kind in MESSAGE_KINDS:
            bucket.messages += 1
        elif kind in TAP_KINDS:
            bucket.taps += 1
        if uid is not None and (kind in MESSAGE_KINDS or kind in TAP_KINDS):
            bucket.users.add(uid)
        if status == UpdateStatus.FAILED:
            bucket.errors += 1
    for stamp in _telegram_records(p, tg_user):
        bucket = buckets.get(key_of(stamp))
        if bucket is not None:
            bucket.records += 1
    if by_day:
        logs = _parser_logs(user, p).filter(channel="telegram", confidence_score__isnull=False)
        if tg_user is not None:
            logs = logs.filter(telegram_user_id=tg_user)
        for stamp, conf in logs.values_list("request_timestamp", "confidence_score").iterator():
            bucket = buckets.get(key_of(stamp))
            if bucket is not None:
                bucket.conf_sum += conf
                bucket.conf_n += 1

    rows = []
    for key in keys:
        label = key.isoformat() if by_day else f"{key:02d}:00"
        rows.append({("date" if by_day else "hour"): label, **buckets[key].row(by_day)})
    all_users: set[int] = set()
    for bucket in buckets.values():
        all_users |= bucket.users
    total_messages = sum(b.messages for b in buckets.values())
    peak_key = max(keys, key=lambda k: (buckets[k].messages, -keys.index(k)))
    peak = buckets[peak_key].messages
    if not total_messages:
        message = "No messages in this range."
    elif by_day:
        message = f"Busiest day: {peak_key.isoformat()} with {peak} messages"
    else:
        message = f"Peak hour: {peak_key}:00 with {peak} messages ({p.tz_name})"
    columns = [
        Column("date", "Date", "Date") if by_day else Column("hour", "Hour", "Data"),
        Column("messages", "Messages", "Int"),
        Column("button_taps", "Button taps", "Int"),
        Column("unique_users", "Unique users", "Int"),
        Column("records_created", "Records created", "Int"),
        Column("errors", "Errors", "Int"),
    ]
    if by_day:
        columns.append(Column("avg_confidence", "Avg confidence", "Float"))
    label_key = "date" if by_day else "hour"
    chart = Chart(
        kind="bar",
        title="Messages per " + ("day" if by_day else f"hour ({p.tz_name})"),
        labels=[r[label_key] for r in rows],
        values=[float(r["messages"]) for r in rows],
        highlight=[bool(total_messages) and k == peak_key for k in keys],
    )
    summary = [
        {"label": "Messages", "value": total_messages},
        {"label": "Unique users", "value": len(all_users)},
        {"label": "Records created", "value": sum(b.records for b in buckets.values())},
        {"label": "Errors", "value": sum(b.errors for b in buckets.values())},
    ]
    if total_messages and not by_day:
        summary.append({"label": "Peak hour", "value": f"{peak_key:02d}:00"})
    return ReportResult(
        "Telegram Message Volume",
        columns,
        rows,
        chart,
        summary,
        message,
        _echo(p, group_by=group_by, telegram_user_id=tg_user),
    )


@dataclass(frozen=True)
class ReportDef:
    slug: str
    title: str
    run: Callable[[Any, Mapping[str, Any]], ReportResult]
    api_path: str
    frappe_name: str
    filters: tuple[tuple[str, str, str, tuple[str, ...]], ...]  # name, label, type, choices


REPORTS: dict[str, ReportDef] = {
    "parser-performance": ReportDef(
        "parser-performance",
        "Parser Performance",
        parser_performance,
        "flrts.reports.parser_performance",
        "Parser Performance Dashboard",
        (
            ("from_date", "From", "date", ()),
            ("to_date", "To", "date", ()),
            ("telegram_user_id", "Telegram user id", "text", ()),
            ("model_name", "Model", "text", ()),
        ),
    ),
    "openai-cost": ReportDef(
        "openai-cost",
        "OpenAI Cost Tracking",
        cost_report,
        "flrts.reports.openai_cost_tracking",
        "OpenAI Cost Tracking",
        (
            ("from_date", "From", "date", ()),
            ("to_date", "To", "date", ()),
            ("group_by", "Group by", "select", ("Date", "Model")),
            ("model_name", "Model", "text", ()),
        ),
    ),
    "message-volume": ReportDef(
        "message-volume",
        "Telegram Message Volume",
        message_volume,
        "flrts.reports.telegram_message_volume",
        "Telegram Message Volume",
        (
            ("from_date", "From", "date", ()),
            ("to_date", "To", "date", ()),
            ("group_by", "Group by", "select", ("Date", "Hour")),
            ("telegram_user_id", "Telegram user id", "text", ()),
        ),
    ),
}


def by_frappe_name(name: str) -> ReportDef | None:
    wanted = (name or "").strip().lower()
    for report in REPORTS.values():
        if wanted in (report.frappe_name.lower(), report.title.lower(), report.slug):
            return report
    return None
