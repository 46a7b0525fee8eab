#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs the project with its test extras,
# Debian's Chromium for the browser tests if it is missing, then runs pytest.
# .ci/run calls exactly this script; so does the README.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -e '.[test]'

if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi

exec python -m pytest "$@"
