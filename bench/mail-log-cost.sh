#!/usr/bin/env bash
# What the mail-log line costs on the direct antivirus load: the distribution with its ClamAV
# scanner and an offline clamd (as bench/profile-av.sh), warmed with 30,000 4 KiB messages over
# the milter protocol, then ROUNDS rounds of 10,000, each once with the mail logger at INFO and
# once at OFF (log:set over SSH): msg/s and the JVM's CPU milliseconds per message of each.
# Needs root, the build (mvn install -DskipTests) and clamav-daemon.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
rounds=${ROUNDS:-3}
start_bench_clamd
start_portcullis_clamav
pid=$pc_pid
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f\n", ($14 + $15) / hz}' "/proc/$pid/stat"; }
run() { load --milter 127.0.0.1:21340 --size 4096 --count "$1" --concurrency 20 --expect-header clamav=clean; }
run 30000 >/dev/null
for _ in $(seq "$rounds"); do
    for level in INFO OFF; do
        shell "log:set $level portcullis.mail" >/dev/null
        c0=$(cpu)
        rate=$(run 10000 | grep -o '[0-9]* msg/s' | head -1)
        c1=$(cpu)
        echo "mail log $level: $rate, JVM $(awk -v a="$c1" -v b="$c0" 'BEGIN {printf "%.3f", (a - b) * 1000 / 10000}') ms CPU/msg"
    done
done
