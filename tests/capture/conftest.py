from tests.telegram.conftest import team  # noqa: F401 - the same crew
