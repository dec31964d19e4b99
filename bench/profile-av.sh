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
need_packages clamav-daemon
count=${COUNT:-20000}
warmup=${WARMUP:-30000}
size=${SIZE:-4096}
# ATTACHMENT=yes: MIME mail with a binary attachment (base64) instead of a plain body
mime=(); [ "${ATTACHMENT:-}" != yes ] || mime=(--attachment)

cl="$work/clamd"
mkdir -p "$cl/db" "$cl/tmp"
eicar=$(printf '%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR' '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*')
printf '%s:%s:Bench.EICAR-MD5\n' "$(printf '%s' "$eicar" | md5sum | cut -d' ' -f1)" "${#eicar}" > "$cl/db/bench.hdb"
cat > "$cl/clamd.conf" <<CF
Foreground yes
DatabaseDirectory $cl/db
OfficialDatabaseOnly no
Bytecode no
TCPSocket 23310
TCPAddr 127.0.0.1
PidFile $cl/clamd.pid
LogFile $cl/clamd.log
TemporaryDirectory $cl/tmp
SelfCheck 0
MaxThreads 4
StreamMaxLength 30M
CF
/usr/sbin/clamd --config-file="$cl/clamd.conf" > "$cl/out" 2>&1 & pids+=($!)
wait_port 23310

start_portcullis
printf 'address = 127.0.0.1:23310\nmax.connections = 4\n' > "$home/etc/org.portcullis.scanner.clamav.cfg"
cp=$(mktemp)
(cd "$bench_root" && mvn -q -o dependency:build-classpath -pl bench -Dmdep.outputFile="$cp" >/dev/null)
classpath="$bench_root/bench/target/classes:$(cat "$cp")"
rm -f "$cp"
password=$(cat "$home/data/portcullis/initial-admin-password")
shell() { java -cp "$classpath" org.portcullis.bench.ShellCommand 28101 admin "$password" "$1" 2>/dev/null; }
wait_port 28101
shell "feature:install portcullis-scanner-clamav"
for i in $(seq 120); do
    shell "milter:scanners" | grep -q "^clamav" && break
    [ "$i" -lt 120 ] || { echo "the ClamAV scanner never came up" >&2; exit 1; }
    sleep 0.5
done
pid=$(portcullis_pid)
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
