#!/usr/bin/env bash
# Direct milter throughput, side by side in one run on this machine:
#   - Portcullis: the built distribution, milter with no scanners (a no-op pipeline);
#   - the C libmilter no-op milter (bench/noop-milter.c), and the same adding one header (-H).
# Loads: 4 KiB x 2000 msgs / 20 conns, 1 MiB x 200 / 10, 25 MiB x 10 / 2; a new milter
# connection per message (as Postfix per SMTP session) and, for Portcullis, reused connections.
# (LOADS picks some of them). Each load runs RUNS times (default 3) per milter, interleaved, and the median run is reported,
# with every run's msg/s.
# Everything stays on 127.0.0.1. Needs: the build (mvn install -DskipTests), gcc, libmilter-dev.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_noop

runs=${RUNS:-3}
# LOADS="4096 2000 20" runs only that load ("size count connections", several separated by ';')
IFS=';' read -r -a LOADS <<< "${LOADS:-4096 2000 20;1048576 200 10;26214400 10 2}"
"$work/noop-milter" -p 21341 & pids+=($!)
"$work/noop-milter" -p 21342 -H & pids+=($!)
start_portcullis
wait_port 21341; wait_port 21342

# Portcullis is a long-running JVM service: measure it warmed up, past the JIT compiler's work on
# the message path (on 2 cores a busy compiler thread takes half the machine)
load --milter 127.0.0.1:21340 --size 4096 --count 20000 --concurrency 20 >/dev/null
load --milter 127.0.0.1:21340 --size 1048576 --count 2000 --concurrency 10 >/dev/null
load --milter 127.0.0.1:21340 --size 26214400 --count 40 --concurrency 2 >/dev/null

# one load at a time; within it one warm-up run each, then the milters' runs alternate in one
# load-generator JVM (A B C A B C ...), so drift on the machine hits them alike
for spec in "${LOADS[@]}"; do
    read -r size count conns <<< "$spec"
    common=(--runs "$runs" --warmups 1 --size "$size" --count "$count" --concurrency "$conns")
    load "${common[@]}" --milter portcullis=127.0.0.1:21340 --milter libmilter-noop=127.0.0.1:21341 \
        --milter libmilter-noop+header=127.0.0.1:21342
    load "${common[@]}" --reuse --milter portcullis=127.0.0.1:21340
done
