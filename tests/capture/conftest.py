from tests.bot.conftest import bot, fake_telegram, team  # noqa: F401 - the same crew and bot
