"""The browser test reuses the API fixtures: users, the app with overrides and a worker
running the real workflow on the time-skipping server."""

from tests.api.conftest import api, tokens  # noqa: F401  (fixtures)
