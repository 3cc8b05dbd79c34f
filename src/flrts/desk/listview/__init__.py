"""Lists like Frappe's on every DocType page of the desk: a filter builder speaking the API's
filters (field, operator, value), saved filters per person and shared, a column picker, "Assigned
to me" / "Created by me", and counts per value in the sidebar.

The desk site adds `DeskListMixin` to each DocType's admin when it is registered, so the records'
admin modules stay declarative and below the desk in the layers."""
