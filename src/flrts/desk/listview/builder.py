"""The filter builder's rows: field, operator, value, as the form shows and sends them.

Each row is drawn by the server (`desk/listview/filter_row.html`, swapped in by htmx when the
field or operator changes), so the value input always suits the field: a list of choices for a
Select or a small Link, a date picker for a Date, two inputs for "between", the timespans for
"timespan". The form sends `f-N-field`, `f-N-op`, `f-N-value`, `f-N-value2`; `rows_from_request`
turns them into the API's `[[field, op, value], ...]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.db.models import Model
from django.http import QueryDict

from flrts.api.registry import ApiField
from flrts.desk.listview import query

MAX_ROWS = 20
LINK_OPTIONS_LIMIT = 200
_INPUT_TYPES = {"Date": "date", "Datetime": "datetime-local", "Int": "number", "Float": "number"}


@dataclass
class FilterRow:
    index: int
    field: str
    op: str
    value: str
    value2: str
    fields: list[tuple[str, str]]
    ops: list[str]
    widget: str  # select, input, between, none
    input_type: str = "text"
    options: list[tuple[str, str]] = dataclass_field(default_factory=list)
    placeholder: str = ""

    @classmethod
    def blank(cls, model: type[Model], index: int) -> FilterRow:
        return cls.build(model, index, "", "", "", "")

    @classmethod
    def build(
        cls, model: type[Model], index: int, name: str, op: str, value: str, value2: str
    ) -> FilterRow:
        fields = query.fields_for(model)
        by_name = {f.fieldname: f for f in fields}
        first = next((by_name[n] for n in ("status", "name") if n in by_name), None)
        api_field = by_name.get(name) or first or (fields[0] if fields else None)
        choices = [(f.fieldname, f.label) for f in fields]
        if api_field is None:
            return cls(index, "", "", "", "", choices, [], "none")
        ops = query.OPERATORS_BY_TYPE[api_field.fieldtype]
        op = op if op in ops else ops[0]
        row = cls(index, api_field.fieldname, op, value, value2, choices, ops, "input")
        row._fit_widget(api_field)
        return row

    def _fit_widget(self, api_field: ApiField) -> None:
        self.input_type = _INPUT_TYPES.get(api_field.fieldtype, "text")
        if self.op == "is":
            self.widget, self.options = "select", [("set", "set"), ("not set", "not set")]
        elif self.op == "timespan":
            self.widget, self.options = "select", [(s, s) for s in query.TIMESPANS]
        elif self.op in ("previous", "next"):
            self.input_type, self.placeholder = "text", "1 week, 3 months…"
        elif self.op == "between":
            self.widget = "between"
        elif self.op in query.LIST_OPERATORS:
            self.input_type, self.placeholder = "text", "values, separated by commas"
        elif api_field.fieldtype == "Check":
            self.widget, self.options = "select", [("1", "Yes"), ("0", "No")]
        elif api_field.choices and self.op in ("=", "!="):
            self.widget, self.options = "select", [(c, c) for c in api_field.choices]
        elif api_field.link is not None and self.op in ("=", "!="):
            options = _link_options(api_field)
            if options is not None:
                self.widget, self.options = "select", options
        if self.widget == "select" and self.options and self.value not in dict(self.options):
            self.value = self.options[0][0]


def _link_options(api_field: ApiField) -> list[tuple[str, str]] | None:
    """(name, label) of a small linked table; None for a big one (typed by name instead)."""
    link = api_field.link
    assert link is not None
    manager = link.model._default_manager
    rows = list(manager.all()[: LINK_OPTIONS_LIMIT + 1])
    if len(rows) > LINK_OPTIONS_LIMIT:
        return None
    out = []
    for obj in rows:
        name = str(link.to_name(*[getattr(obj, c) for c in link.value_columns]))
        label = str(obj)
        out.append((name, label if label == name else f"{label} ({name})"))
    return sorted(out, key=lambda pair: pair[1].lower())


def rows_from_filters(model: type[Model], filters: list[query.Filter]) -> list[FilterRow]:
    rows = []
    for i, (name, op, value) in enumerate(filters[:MAX_ROWS]):
        value2 = ""
        if isinstance(value, list) and op == "between" and len(value) == 2:
            value, value2 = value
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        rows.append(FilterRow.build(model, i, name, op, str(value), str(value2)))
    return rows


def rows_from_request(model: type[Model], params: QueryDict) -> list[query.Filter]:
    """The builder form's rows as `[[field, op, value], ...]`; empty rows are left out."""
    known = {f.fieldname for f in query.fields_for(model)}
    out: list[query.Filter] = []
    for i in range(MAX_ROWS):
        name = params.get(f"f-{i}-field", "").strip()
        if not name or name not in known:
            continue
        op = params.get(f"f-{i}-op", "=").strip()
        value = params.get(f"f-{i}-value", "").strip()
        value2 = params.get(f"f-{i}-value2", "").strip()
        if op == "between":
            if value and value2:
                out.append([name, op, [value, value2]])
        elif op in query.LIST_OPERATORS:
            items = [v.strip() for v in value.split(",") if v.strip()]
            if items:
                out.append([name, op, items])
        elif value or op in ("=", "!="):
            out.append([name, op, value or ("set" if op == "is" else "")])
    return out
