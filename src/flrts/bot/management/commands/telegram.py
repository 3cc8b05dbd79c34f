"""`flrts telegram set-webhook URL | webhook-info | delete-webhook | poll | set-commands`."""

from __future__ import annotations

import secrets
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from flrts.bot.webhook import HANDLED_KINDS
from flrts.sites import SiteConfigError, set_config_value
from flrts.telegram.config import bot_settings, get_client
from flrts.telegram.errors import TelegramError


class Command(BaseCommand):
    help = "Manage the Telegram bot: webhook, long polling, command list."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        hook = sub.add_parser("set-webhook", help="Point Telegram at this site's webhook")
        hook.add_argument("url", help="Public HTTPS URL, e.g. https://ops.example.com")
        hook.add_argument("--max-connections", type=int, default=40)
        hook.add_argument("--drop-pending", action="store_true", help="Drop queued updates")
        hook.add_argument(
            "--allowed-updates", default=",".join(sorted(HANDLED_KINDS)),
            help="Comma-separated update kinds",
        )  # fmt: skip
        sub.add_parser("webhook-info", help="Show what Telegram knows about the webhook")
        delete = sub.add_parser("delete-webhook", help="Stop webhook delivery")
        delete.add_argument("--drop-pending", action="store_true")
        poll = sub.add_parser("poll", help="Long-poll for updates (no public URL needed)")
        poll.add_argument("--timeout", type=int, default=30)
        poll.add_argument("--once", action="store_true", help="One batch, then exit")
        poll.add_argument(
            "--queue", action="store_true", help="Queue processing instead of running it inline"
        )
        sub.add_parser("set-commands", help="Register the command list (setMyCommands)")
        work = sub.add_parser("work", help="Process stored updates (an update worker)")
        work.add_argument("--batch", type=int, default=10, help="updates claimed at a time")
        work.add_argument("--idle", type=float, default=0.05, help="seconds between idle polls")
        work.add_argument("--burst", action="store_true", help="exit when nothing is waiting")
        work.add_argument(
            "--nice",
            type=int,
            default=None,
            help="lower the processing priority by N (default: telegram_worker_nice, 19)",
        )

    def handle(self, *args: Any, action: str, **opts: Any) -> None:
        if action == "work":  # no token needed: without one, answers go to the outbox
            self._work(**opts)
            return
        try:
            config = bot_settings()
        except SiteConfigError as exc:
            raise CommandError(str(exc))
        if not config.configured:
            raise CommandError(
                "telegram_bot_token is not set: flrts set-config telegram_bot_token <token>"
            )
        client = get_client(config)
        try:
            getattr(self, "_" + action.replace("-", "_"))(client, config, **opts)
        except TelegramError as exc:
            raise CommandError(str(exc))

    def _set_webhook(self, client: Any, config: Any, **opts: Any) -> None:
        url = opts["url"].rstrip("/")
        if not url.startswith("https://") and not url.startswith("http://127.0.0.1"):
            if not url.startswith("http://"):
                raise CommandError("the URL must start with https://")
            self.stderr.write("warning: Telegram only delivers to https:// URLs")
        if not url.endswith("/webhook") and "/api/method/" not in url:
            url += "/api/method/flrts_extensions.telegram.webhook"
        secret = config.webhook_secret
        if not secret:
            secret = secrets.token_urlsafe(32)
            try:
                set_config_value(settings.SITE, "telegram_webhook_secret", secret)
            except SiteConfigError as exc:
                raise CommandError(str(exc))
            settings.SITE.config["telegram_webhook_secret"] = secret
            self.stdout.write(
                "Generated telegram_webhook_secret and saved it in site_config.json; "
                "restart the web workers so they use it."
            )
        max_connections = opts["max_connections"]
        if not 1 <= max_connections <= 100:
            raise CommandError("--max-connections must be between 1 and 100")
        allowed = [k.strip() for k in opts["allowed_updates"].split(",") if k.strip()]
        client.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=allowed,
            max_connections=max_connections,
            drop_pending_updates=opts["drop_pending"],
        )
        self._set_commands(client, config)
        self.stdout.write(f"Webhook set: {url} (allowed updates: {', '.join(allowed)})")

    def _webhook_info(self, client: Any, config: Any, **opts: Any) -> None:
        info = client.get_webhook_info()
        self.stdout.write(f"url: {info.url or '(none: polling mode)'}")
        self.stdout.write(f"pending updates: {info.pending_update_count}")
        self.stdout.write(f"max connections: {info.max_connections}")
        self.stdout.write(f"allowed updates: {', '.join(info.allowed_updates or []) or '(all)'}")
        if info.last_error_message:
            self.stdout.write(f"last error: {info.last_error_date} {info.last_error_message}")

    def _delete_webhook(self, client: Any, config: Any, **opts: Any) -> None:
        client.delete_webhook(drop_pending_updates=opts["drop_pending"])
        self.stdout.write("Webhook deleted.")

    def _set_commands(self, client: Any, config: Any, **opts: Any) -> None:
        from flrts.capture.commands import COMMANDS  # here: only set-commands needs the table

        client.set_my_commands(COMMANDS)
        self.stdout.write(f"Registered {len(COMMANDS)} commands.")

    def _poll(self, client: Any, config: Any, **opts: Any) -> None:
        from flrts.bot import polling
        from flrts.nlp.warmup import warm_up  # here: other subcommands need not load the parser

        if not opts["queue"]:  # updates are parsed here: load the parser before the first one
            warm_up()

        stop = {"now": False}

        def _stop(*_: Any) -> None:
            stop["now"] = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        self.stdout.write("Polling Telegram for updates (Ctrl-C to stop)...")
        total = polling.run(
            client,
            timeout=max(0, opts["timeout"]),
            inline=not opts["queue"],
            once=opts["once"],
            should_stop=lambda: stop["now"],
            write=self.stdout.write,
        )
        self.stdout.write(f"Stored {total} update(s).")

    def _work(self, **opts: Any) -> None:
        from flrts.bot import worker
        from flrts.nlp.warmup import warm_up  # here: other subcommands need not load the parser

        if not 1 <= opts["batch"] <= 500:
            raise CommandError("--batch must be between 1 and 500")
        if opts["idle"] < 0:
            raise CommandError("--idle must be zero or more")
        if opts["nice"] is not None and not 0 <= opts["nice"] <= 19:
            raise CommandError("--nice must be between 0 and 19")
        warm_up()  # the first update is then parsed as fast as the rest
        # The loop runs in a thread at its own (lower) priority; this one waits for signals.
        loop = worker.UpdateWorkerThread(
            batch=opts["batch"], idle=opts["idle"], nice=opts["nice"], burst=opts["burst"]
        )

        def on_signal(signum: int, frame: Any) -> None:
            if loop.stopped.is_set():
                raise SystemExit(1)
            loop.stop()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        loop.start()
        while loop.is_alive():
            loop.join(0.2)
        if loop.error is not None:
            raise CommandError(f"the update loop stopped: {type(loop.error).__name__}")
        done = loop.processed
        self.stdout.write(f"Processed {done} update(s).")
