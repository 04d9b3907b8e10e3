#!/usr/bin/env bash
# Builds what is missing or out of date (scripts/build.sh: system packages,
# npm packages, then CMake, incrementally), then serves the web page at
# http://localhost:${PORT:-8080}/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec node web/server.js
