#!/usr/bin/env bash
# Fail when an app's Vietnamese catalogue misses a string its sources use
# (run `make messages` and translate the new entries).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.venv/bin/aftersale"
status=0
for po in "$root"/src/aftersale/*/locale/vi/LC_MESSAGES/django.po; do
  app_dir="$(dirname "$(dirname "$(dirname "$(dirname "$po")")")")"
  app="$(basename "$app_dir")"
  tmp="$(mktemp -d)"
  cp -r "$app_dir" "$tmp/$app"
  rm -rf "$tmp/$app/locale"
  mkdir -p "$tmp/$app/locale"
  (cd "$tmp/$app" && DEBUG=1 PYTHONPATH="$root/src" "$bin" makemessages -l vi -v0)
  if ! msgcmp --use-untranslated "$po" "$tmp/$app/locale/vi/LC_MESSAGES/django.po" 2>"$tmp/err"; then
    echo "== $app: strings missing from src/aftersale/$app/locale/vi (run make messages, then translate):"
    fresh="$tmp/$app/locale/vi/LC_MESSAGES/django.po"
    grep -oE 'django\.po:[0-9]+: this message is used but not defined' "$tmp/err" | cut -d: -f2 | head -n 20 |
      while read -r line; do echo "   $(sed -n "$((line - 1))p" "$fresh")"; done
    status=1
  fi
  rm -rf "$tmp"
done
exit $status
