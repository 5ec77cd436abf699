"""Does a PostgreSQL server answer at DATABASE_URL? Exit status 0 if yes, 1 if not.

    python scripts/pg_probe.py postgres://postgres@127.0.0.1:5432/journal

Connects to the server's «postgres» database: the tests create their own database there, so
the one named in the URL need not exist yet.
"""

import sys

import psycopg


def main(url: str) -> int:
    try:
        with psycopg.connect(url, dbname="postgres", connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        lines = str(exc).strip().splitlines()
        print(f"PostgreSQL: {lines[0] if lines else type(exc).__name__}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
