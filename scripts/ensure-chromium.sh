#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright.
# Missing: installed when we are root with apt-get; otherwise the browser tests are skipped
# with a visible note — except on CI (CI=true), where that is an error.
set -euo pipefail
CHROMIUM=/usr/bin/chromium

[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Устанавливается Chromium для браузерных тестов (apt-get install chromium)…"
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; then
        [ -x "$CHROMIUM" ] && exit 0
    fi
fi
if [ "${CI:-}" = true ]; then
    echo "ОШИБКА: нет $CHROMIUM, а на CI (CI=true) браузерные тесты обязательны." >&2
    exit 1
fi
cat <<MSG

************************************************************************************
*  ВНИМАНИЕ: Chromium ($CHROMIUM) не найден — браузерные тесты будут пропущены.
*  Установите его: sudo apt-get install chromium
************************************************************************************

MSG
