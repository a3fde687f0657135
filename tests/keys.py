"""Fixed keys for the tests (never used outside them): the ring every test runs with,
and the development secret of earlier versions, under which the golden histories in
tests/histories were recorded (key id ``casusregie-1``: decrypt only)."""

TEST_SECRET_KEYS = "test-1:dGVzdC1vbmx5LWtleS1vZi0zMi1ieXRlcy1wYWRkZWQ"
LEGACY_DEV_SECRET = "development-only-secret-do-not-use-in-production"
