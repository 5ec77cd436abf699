#!/usr/bin/env bash
# Create the virtual environment for `make`: scripts/venv.sh PYTHON VENV_DIR
# Needs Python 3.11+. On Debian/Ubuntu the venv module is a separate package (python3-venv):
# installed here when we are root with apt-get, otherwise we say what to install.
set -euo pipefail
python=${1:-python3}
venv=${2:-.venv}

if ! command -v "$python" >/dev/null 2>&1; then
    echo "Нужен Python 3.11 или новее: команда «$python» не найдена." >&2
    exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Нужен Python 3.11 или новее, а «$python» — это $("$python" -V 2>&1)." >&2
    echo "Укажите другой интерпретатор: make PYTHON=python3.12 …" >&2
    exit 1
fi
if "$python" -m venv "$venv" 2>/dev/null; then
    exit 0
fi
rm -rf "$venv"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    echo "Устанавливается модуль venv (apt-get install python${version}-venv)…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${version}-venv" \
        || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    "$python" -m venv "$venv"
else
    echo "Не удалось создать виртуальное окружение $venv." >&2
    echo "Установите модуль venv, например: sudo apt-get install python3-venv" >&2
    exit 1
fi
