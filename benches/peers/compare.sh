#!/bin/sh
# plansim against Ciw and SimPy on scenarios/network/{mmc,three-stage}.toml: see compare.py.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
[ -x "$here/.venv/bin/python" ] || "$here/setup.sh"
exec "$here/.venv/bin/python" "$here/compare.py" "$@"
