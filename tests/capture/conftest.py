from tests.bot.conftest import team  # noqa: F401 - the same crew
