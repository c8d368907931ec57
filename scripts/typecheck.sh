#!/usr/bin/env bash
# Type-checks pef/ as it would run on each system, so a call that exists on Linux only
# (or not on Windows, or not on macOS) fails here. Configuration: [tool.mypy] in pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
for platform in linux win32 darwin; do
    echo "mypy --platform $platform"
    .venv/bin/python -m mypy --platform "$platform"
done
