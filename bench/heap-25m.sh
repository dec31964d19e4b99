#!/usr/bin/env bash
# 10 concurrent 25 MiB messages with the container's heap capped at 256 MiB (-Xmx256m), with a
# part scanner installed (examples/attachment-type-scanner, dropped into deploy/), so every
# message is spooled and split into its MIME parts, not just passed through. Every message must
# be accepted with the scanner's verdict header; reports the peak heap in use (jstat samples
# every 100 ms: survivor + eden + old), checks the log for OutOfMemoryError and that the spool
# is empty afterwards. RUNS rounds (default 3). Needs the build (mvn install -DskipTests).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${RUNS:-3}

start_portcullis "-Xmx256m"
cp "$bench_root/examples/attachment-type-scanner/target/example-attachment-type-scanner-$version.jar" "$home/deploy/"
for i in $(seq 120); do
    load --label probe --milter 127.0.0.1:21340 --size 4096 --count 1 --concurrency 1 --expect-header attachment-type= \
        2>/dev/null | grep -q "errors 0" && break
    [ "$i" -lt 120 ] || { echo "the example scanner never came up" >&2; exit 1; }
    sleep 0.5
done
pid=$(portcullis_pid)
jcmd "$pid" VM.flags | tr ' ' '\n' | grep MaxHeapSize
jstat -gc "$pid" 100 > "$work/jstat.txt" & jstat_pid=$!
load --label "25MiB-x10-Xmx256m" --milter 127.0.0.1:21340 --size 26214400 --count 10 --concurrency 10 --runs "$runs" \
    --expect-header attachment-type=clean
kill "$jstat_pid"
awk 'NR == 1 {for (i = 1; i <= NF; i++) col[$i] = i; next}
     $1 ~ /^[0-9.]+$/ {u = $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"]; if (u > max) max = u}
     $1 ~ /^[0-9.]+$/ && !first {first = $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"]}
     END {printf "heap in use: %.1f MiB at the start, %.1f MiB at the peak (jstat samples: %d)\n", first / 1024, max / 1024, NR - 1}' \
    "$work/jstat.txt"
if grep -q OutOfMemoryError "$home/data/log/karaf.log"; then echo "OutOfMemoryError in karaf.log" >&2; exit 1; fi
left=$(find "$home/data/portcullis/spool" -type f | wc -l)
echo "spool files left: $left"
[ "$left" -eq 0 ]
