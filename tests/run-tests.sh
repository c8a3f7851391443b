#!/bin/sh
# Runs the unit tests, then the integration tests under pam_wrapper and
# nss_wrapper (no change to /etc). Called by `make check`.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"
run=$(mktemp -d /tmp/sspr-test.XXXXXX)
# Tests also act as an unprivileged user, who must reach the socket.
chmod 755 "$run"
trap 'rm -rf "$run"' EXIT
# Message catalogs built by make (zh_TW, and en@pseudo for the tests), for
# every program the tests start.
export SSPR_LOCALEDIR="$build/locale"

echo "== unit tests"
SSPR_SRC="$top" "$build/tests/unit"

echo "== integration tests (run directory $run)"
# The binary re-executes itself under pam_wrapper and nss_wrapper.
SSPR_TEST_RUN="$run" SSPR_BUILD="$build" "$build/tests/integration"

echo "== CLI tests: sspr register and ssprctl against a real ssprd"
if [ "$(id -u)" -eq 0 ]; then
	/usr/bin/python3 "$top/tests/cli/run.py" "$build"
else
	echo "cli: not run: they act as several test users (setpriv), which needs root"
fi

echo "== end-to-end tests with real clients (sshd, login)"
if [ "$(id -u)" -eq 0 ]; then
	/usr/bin/python3 "$top/tests/e2e/test_e2e.py" "$build"
else
	echo "e2e: not run: they create a system user and start sshd, which needs root"
fi
