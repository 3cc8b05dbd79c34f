"""The inbound Telegram bot: a flow above capture.

- `webhook`: checks the secret, stores each update once (`telegram.TelegramUpdate`) and answers.
- `queue`, `worker`: the update table is the queue; workers claim rows and process them.
- `processing`, `commands`, `voice`: an update becomes a capture conversation turn.
- `polling`: long polling for hosts without a public URL; `webhook_check`: the hourly health job.

It talks to Telegram only through the Bot API seam `flrts.telegram` (client, types, outbound).
The update rows stay in the `telegram` app's table so existing sites keep their data and
migrations; this package owns the code that writes and reads them.
"""
