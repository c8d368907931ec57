#!/usr/bin/env bash
# Sets up pef, generates a sample Google Photos Takeout, and fixes it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
demo=${1:-/tmp/pef-demo}
rm -rf "$demo"
.venv/bin/python -m pef.sample "$demo/export"
.venv/bin/pef -p "$demo/export" || [ $? -eq 2 ]
echo
echo "Done. Look at:"
echo "  $demo/export_pefProcessed/              the fixed library (Google's folders, all parts merged)"
echo "  $demo/export_pefProcessed/Unprocessed/  files pef could not pair, copied unchanged"
echo "  $demo/export_pefProcessed/report.txt    the summary; report.json has every file"
echo "  exiftool -G1 -a -time:all -gps:all \"$demo/export_pefProcessed/Photos from 2019/\"*"
