"""Telegram Bot API: typed models of the updates we read and a sync client for the calls we make.

`types` parses what Telegram sends us (strict about the fields we rely on, tolerant of new ones);
`client.BotClient` is the only code that talks to the Bot API. No Django here, so both can be
tested against the local fake server in `tests/fakes/telegram_server.py`.
"""
