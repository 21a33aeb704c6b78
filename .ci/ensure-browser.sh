#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium, for the test that drives Swagger UI in a
# real browser (playwright-core cannot download a browser of its own here). Idempotent.
set -euo pipefail

if [ ! -x /usr/bin/chromium ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
echo "Chromium: $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
