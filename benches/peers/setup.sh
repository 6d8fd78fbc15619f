#!/bin/sh
# Creates benches/peers/.venv and installs the pinned peer simulators (Ciw, SimPy).
set -eu
cd "$(dirname "$0")"
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
.venv/bin/python -c "import ciw, simpy; print('Ciw', ciw.__version__, '/ SimPy', simpy.__version__)"
