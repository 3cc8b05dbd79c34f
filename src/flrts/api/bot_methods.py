"""Registers the webhook at the path the architecture names:
`/api/method/flrts_extensions.telegram.webhook` (the same view as `/telegram/webhook`)."""

from flrts.api.methods import whitelist
from flrts.bot.webhook import webhook

whitelist("flrts_extensions.telegram.webhook", methods=("POST",), allow_guest=True, raw=True)(
    webhook
)
