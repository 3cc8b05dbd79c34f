"""The API personas (one per role, each with a key) and data, shared with tests/api."""

from tests.api.conftest import _no_rate_limits, apis, data, people  # noqa: F401
