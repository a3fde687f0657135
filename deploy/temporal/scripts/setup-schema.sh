#!/bin/sh
# One-shot job (admin-tools image): create Temporal's two databases on the shared
# PostgreSQL and bring their schemas to the version this image ships. Idempotent: it runs
# on every `docker compose up` and after a Temporal upgrade (new image -> newer schema).
set -eu
tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" \
    -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" "$@"
}
schema=/etc/temporal/schema/postgresql/v12
for db in temporal temporal_visibility; do
  tool --db "$db" create-database || echo "database $db exists"
done
tool --db temporal setup-schema -v 0.0
tool --db temporal update-schema -d "$schema/temporal/versioned"
tool --db temporal_visibility setup-schema -v 0.0
tool --db temporal_visibility update-schema -d "$schema/visibility/versioned"
echo "Temporal schemas are up to date"
