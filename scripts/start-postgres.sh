#!/usr/bin/env bash
# Start the local PostgreSQL cluster and create the role and database the tests use.
# Fails loudly when PostgreSQL cannot be started: its tests must run, never skip.
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "PostgreSQL is not installed; installing Debian's package"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters --no-header | grep -q "^$version main"; then
  pg_createcluster "$version" main
fi
pg_ctlcluster "$version" main start || true
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p 5432 -q && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1; }

su postgres -c "psql -v ON_ERROR_STOP=1 -q" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'filmroll') THEN
    CREATE ROLE filmroll LOGIN SUPERUSER PASSWORD 'filmroll';
  END IF;
END $$;
SQL
if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'filmroll_test'\"" | grep -q 1; then
  su postgres -c "createdb -O filmroll filmroll_test"
fi
echo "PostgreSQL ready: postgresql://filmroll:filmroll@127.0.0.1:5432/filmroll_test"
