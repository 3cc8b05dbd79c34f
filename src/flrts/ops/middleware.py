"""Request ids and request metrics.

Each request gets an id (the caller's `X-Request-ID` when it is sane, else a new one), which every
log line of the request carries and the response returns; its route, status and latency feed
`/metrics`. Unhandled errors reach the Error Log through `got_request_exception` (errors.py).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from flrts.ops.logs import reset_request_id, set_request_id
from flrts.ops.metrics import observe

_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    route = match.route or ""
    if route and "(?" not in route and "^" not in route:
        return "/" + route
    # A regex route (the API's catch-all): its view name keeps the label set small.
    return "view:" + (match.view_name or match._func_path)


class RequestOpsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        rid = given if _SANE_ID.match(given) else uuid.uuid4().hex
        token = set_request_id(rid)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = rid
            return response
        finally:
            observe(route_of(request), request.method or "", status, time.perf_counter() - started)
            reset_request_id(token)
