"""The Parser Log in the desk: a read-only list with filters, and a readable detail page."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from flrts.core.admin_base import DocumentAdmin
from flrts.nlp.models import ParserLog


class ParserFilter(admin.SimpleListFilter):
    """Offline or LLM, without a DISTINCT over every row to build the choices."""

    title = "parser"
    parameter_name = "parser"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("offline", "Offline"), ("llm", "LLM")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "offline":
            return queryset.filter(parser="offline")
        if self.value() == "llm":
            return queryset.filter(parser__startswith="llm:")
        return queryset


@admin.register(ParserLog)
class ParserLogAdmin(DocumentAdmin):
    list_display = [
        "name",
        "request_timestamp",
        "user",
        "channel",
        "short_message",
        "intent",
        "parser",
        "confidence_score",
        "user_accepted",
        "error_occurred",
        "estimated_cost_usd",
    ]
    list_filter = [
        ParserFilter,
        "intent",
        "user_accepted",
        "channel",
        "error_occurred",
        "is_correction",
        ("request_timestamp", admin.DateFieldListFilter),
    ]
    search_fields = [
        "name",
        "original_message",
        "model_rationale",
        "user__email",
        "user__full_name",
        "created_name",
    ]
    list_select_related = ["user"]
    ordering = ["-request_timestamp", "-id"]
    fieldsets = [
        (
            "Request",
            {
                "fields": [
                    "name_display",
                    "channel",
                    "user",
                    "original_message",
                    "user_timezone",
                    "telegram_user_id",
                    "telegram_chat_id",
                    "telegram_message_id",
                    "request_timestamp",
                ]
            },
        ),
        (
            "Parse",
            {
                "fields": [
                    "parser",
                    "intent",
                    "confidence_score",
                    "model_rationale",
                    "parsed_output_pretty",
                    "response_timestamp",
                    "response_duration_ms",
                ]
            },
        ),
        (
            "Model call",
            {
                "classes": ["collapse"],
                "fields": [
                    "model_name",
                    "prompt_version",
                    "openai_request_id",
                    "finish_reason",
                    "llm_duration_ms",
                    "prompt_tokens",
                    "completion_tokens",
                    "total_tokens",
                    "estimated_cost_usd",
                    "details",
                    "system_prompt",
                    "user_message",
                ],
            },
        ),
        ("Error", {"fields": ["error_occurred", "error_type", "error_code", "error_message"]}),
        (
            "Correction and outcome",
            {
                "fields": [
                    "is_correction",
                    "original_log",
                    "correction_attempt_number",
                    "correction_user_feedback",
                    "user_accepted",
                    "user_response_timestamp",
                    "user_feedback",
                    "created_doctype",
                    "created_name",
                    "standard_fields",
                ]
            },
        ),
    ]

    # Logs are written by the parser, never typed in: the page is read-only for everyone.
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = [f.name for f in self.model._meta.concrete_fields]
        return [*fields, "parsed_output_pretty", "name_display", "standard_fields"]

    @admin.display(description="Message")
    def short_message(self, obj: ParserLog) -> str:
        text = obj.original_message or ""
        return text if len(text) <= 60 else text[:59] + "…"

    @admin.display(description="Parsed output")
    def parsed_output_pretty(self, obj: ParserLog) -> str:
        shown = json.dumps(obj.parsed_output, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', shown)
