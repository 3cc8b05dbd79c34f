"""The Bot API's wire format, as the fake server reads and checks it.

Request bodies arrive as JSON, form-encoded or multipart (values are then strings and nested
objects JSON strings); message text with a `parse_mode` is checked for the markup mistakes bots
really make, with Telegram's own error texts.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

# How form and multipart values (always strings) are read back, as the Bot API does.
_INT_FIELDS = {"chat_id", "message_id", "reply_to_message_id", "offset", "limit", "timeout"}
_INT_FIELDS |= {"max_connections", "cache_time", "message_thread_id"}
_BOOL_FIELDS = {"disable_notification", "drop_pending_updates", "show_alert", "protect_content"}
_JSON_FIELDS = {"reply_markup", "allowed_updates", "commands", "entities", "caption_entities"}
_JSON_FIELDS |= {"reply_parameters", "link_preview_options", "scope"}
_HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "a", "code"}
_HTML_TAGS |= {"pre", "blockquote", "tg-spoiler", "tg-emoji"}
# MarkdownV2 characters that are never markup and so must always be escaped outside code.
_MDV2_ALWAYS_ESCAPED = set(".!-+=#{}>")


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content: bytes
    content_type: str


def parse_params(
    content_type: str, body: bytes, query: str
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    params: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    raw: dict[str, str] = dict(urllib.parse.parse_qsl(query))
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == "application/json" and body:
        try:
            decoded = json.loads(body)
        except ValueError:
            raise ValueError("can't parse JSON object") from None
        if not isinstance(decoded, dict):
            raise ValueError("can't parse JSON object")
        params.update(decoded)
    elif mime == "application/x-www-form-urlencoded":
        raw.update(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
    elif mime == "multipart/form-data":
        fields, files = _parse_multipart(content_type, body)
        raw.update(fields)
    for key, value in raw.items():
        params[key] = _coerce(key, value)
    for key in _JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            params[key] = _coerce(key, params[key])
    return params, files


def _parse_multipart(
    content_type: str, body: bytes
) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = UploadedFile(filename, content, part.get_content_type())
        else:
            fields[name] = content.decode(part.get_content_charset() or "utf-8")
    return fields, files


def _coerce(key: str, value: str) -> Any:
    # Form and multipart values are strings; read them the way the Bot API does.
    if key in _INT_FIELDS and value.lstrip("-").isdigit():
        return int(value)
    if key in _BOOL_FIELDS:
        return value.lower() in ("true", "1")
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError(f"can't parse {key} JSON object") from None
    return value


def error_body(status: int, description: str, parameters: dict[str, Any] | None = None) -> dict:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def markup_problem(text: str, parse_mode: str) -> str | None:
    """The first markup error Telegram would report, or None. Deliberately partial: it catches
    the mistakes bots really make (unescaped reserved characters, unclosed entities, bad tags)."""
    if parse_mode == "HTML":
        return _html_problem(text)
    if parse_mode == "MarkdownV2":
        return _markdown_v2_problem(text)
    return _markdown_problem(text)


def _html_problem(text: str) -> str | None:
    stack: list[str] = []
    for match in re.finditer(r"<(/?)([A-Za-z][A-Za-z0-9-]*)?[^>]*>|<", text):
        closing, tag = match.group(1), (match.group(2) or "").lower()
        offset = len(text[: match.start()].encode())
        if not tag:
            return f'Unsupported start tag "" at byte offset {offset}'
        if tag not in _HTML_TAGS:
            return f'Unsupported start tag "{tag}" at byte offset {offset}'
        if closing:
            if not stack or stack[-1] != tag:
                return f"Unexpected end tag at byte offset {offset}"
            stack.pop()
        else:
            stack.append(tag)
    if stack:
        return f'Can\'t find end tag corresponding to start tag "{stack[-1]}"'
    return None


def _markdown_v2_problem(text: str) -> str | None:
    in_code = False
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "`":
            in_code = not in_code
        elif not in_code and char in _MDV2_ALWAYS_ESCAPED:
            return f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
        index += 1
    if in_code:
        return "Can't find end of Code entity"
    return None


def _markdown_problem(text: str) -> str | None:
    # Legacy Markdown: *bold*, _italic_, `code`, ```pre```; an unclosed one is an error.
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char in "*_`":
            marker = "```" if text.startswith("```", index) else char
            end = text.find(marker, index + len(marker))
            if end == -1:
                offset = len(text[:index].encode())
                return f"Can't find end of the entity starting at byte offset {offset}"
            index = end + len(marker)
            continue
        index += 1
    return None
