#!/usr/bin/env sh
# Stands in for a compiled worker binary (see README "Compiled workers"):
# any executable that speaks the worker protocol can be a pool's
# `worker.command`. This one runs the worker entry with the deno that
# started the pool (passed in WOOL_DENO by main.ts).
here=$(dirname "$0")
exec "${WOOL_DENO:-deno}" run -A --config "$here/../../deno.json" "$here/../../src/worker/main.ts"
