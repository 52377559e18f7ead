#!/bin/sh
# A worker command of our own, as a compiled worker binary would be given
# in `worker: { command, args }`: it marks the environment (who launched
# the worker, with which arguments), then execs the real worker entry with
# its arguments as `deno run` flags. The worker keeps this pid and speaks
# the launch protocol on the stdin/stdout it inherits. WOOL_DENO names the
# deno binary to exec.
set -eu
WOOL_LAUNCHED_BY="launcher.sh"
WOOL_LAUNCHER_ARGS="$*"
export WOOL_LAUNCHED_BY WOOL_LAUNCHER_ARGS
exec "$WOOL_DENO" run "$@" "$(dirname "$0")/../../src/worker/main.ts"
