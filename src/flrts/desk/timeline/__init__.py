"""The form timeline: a record's history, comments with @mentions, assignments, attachments."""
