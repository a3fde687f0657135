"""The audit tests reuse the API fixtures (app, users of every role, worker) and the
workflow harness fixture ``start``."""

from tests.api.conftest import api, tokens  # noqa: F401  (fixtures)
from tests.workflows.conftest import start  # noqa: F401  (fixture)
