#!/usr/bin/env bash
# Where Portcullis spends its CPU on the antivirus job, without Postfix in the way: the built
# distribution with its ClamAV scanner and one offline clamd (MaxThreads 4, an EICAR signature
# database written here), driven directly over the milter protocol (bench MilterLoad, a new
# milter connection per message as Postfix makes per SMTP session). Warms up with WARMUP
# messages, then runs COUNT 4 KiB messages on 20 connections under a JDK Flight Recorder
# recording and prints msg/s, the JVM's CPU milliseconds per message, and the hottest methods.
# Needs root, the build (mvn install -DskipTests) and clamav-daemon.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
count=${COUNT:-20000}
warmup=${WARMUP:-30000}
size=${SIZE:-4096}
# ATTACHMENT=yes: MIME mail with a binary attachment (base64) instead of a plain body
mime=(); [ "${ATTACHMENT:-}" != yes ] || mime=(--attachment)

start_bench_clamd
start_portcullis_clamav
pid=$pc_pid
jvm_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f %.2f\n", ($14 + $15) / hz, $15 / hz}' "/proc/$pid/stat"; }

load --milter 127.0.0.1:21340 --size "$size" --count "$warmup" --concurrency 20 --expect-header clamav=clean "${mime[@]}" >/dev/null
jcmd "$pid" JFR.start name=av settings=profile filename="$work/av.jfr" >/dev/null
read -r c0 s0 < <(jvm_cpu)
load --milter 127.0.0.1:21340 --size "$size" --count "$count" --concurrency 20 --expect-header clamav=clean "${mime[@]}"
read -r c1 s1 < <(jvm_cpu)
jcmd "$pid" JFR.stop name=av >/dev/null
echo "JVM CPU: $(awk -v a="$c1" -v b="$c0" -v sa="$s1" -v sb="$s0" -v n="$count" \
    'BEGIN {printf "%.2f s, %.3f ms/msg (of it in the kernel %.3f ms/msg)", a - b, (a - b) * 1000 / n, (sa - sb) * 1000 / n}')"
java -cp "$classpath" org.portcullis.bench.JfrTop "$work/av.jfr" "${TOP:-30}"
[ -z "${KEEP_JFR:-}" ] || cp "$work/av.jfr" "$KEEP_JFR"
