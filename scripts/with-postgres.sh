#!/usr/bin/env bash
# Run a command against PostgreSQL if the server answers: scripts/with-postgres.sh URL CMD…
# Not reachable: a visible note and success — except on CI (CI=true), where it is a failure.
set -euo pipefail
url=$1
shift
here=$(dirname "$0")

if "${VENV_PYTHON:-$here/../.venv/bin/python}" "$here/pg_probe.py" "$url"; then
    echo
    echo "== Тесты на PostgreSQL ($url) =="
    DATABASE_URL="$url" exec "$@"
fi
if [ "${CI:-}" = true ]; then
    echo "ОШИБКА: PostgreSQL не отвечает ($url), а на CI (CI=true) тесты на PostgreSQL обязательны." >&2
    exit 1
fi
cat <<MSG

************************************************************************************
*  PostgreSQL not reachable: skipped.
*  PostgreSQL не отвечает ($url): тесты на PostgreSQL пропущены.
************************************************************************************

MSG
