#!/usr/bin/env bash
# Backup and restore of a database of at least 1 GiB, on the distribution, with the container's
# heap capped at 256 MiB (-Xmx256m) to show that neither holds the data in memory:
#   1. BulkTable fills schema bench_bulk (registered like a bundle's schema) to SIZE bytes of
#      table (default 1.3e9);
#   2. backup:create with a passphrase, then backup:restore of that file, each timed end to end
#      through the shell (bin/client over SSH); the log lines give the payload and the time of
#      the restore's database transaction itself;
#   3. the heap: the peak in use (jstat samples every 250 ms, garbage included) and, from the GC
#      log, the largest heap left after any collection during both (what the data kept alive).
# Also the floors: the same binary COPY out of PostgreSQL into nothing, and TRUNCATE + COPY back
# in from a plain file in one transaction — what a backup and a restore cannot beat here.
# Needs the build (mvn install -DskipTests) and ~4 GiB free under $TMPDIR.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
size=${SIZE:-1300000000}

cp=$(mktemp)
(cd "$bench_root" && mvn -q -o dependency:build-classpath -pl bench -Dmdep.outputFile="$cp" >/dev/null)
classpath="$bench_root/bench/target/classes:$(cat "$cp")"
rm -f "$cp"

start_portcullis "-Xmx256m -Xlog:gc:file=$work/gc.log"
password=$(cat "$home/data/portcullis/initial-admin-password")
pgpass=$(cat "$home/data/postgresql/superuser-password")
shell() { java -cp "$classpath" org.portcullis.bench.ShellCommand 28101 admin "$password" "$1" 2>/dev/null; }
for _ in $(seq 120); do shell "storage:status" 2>/dev/null | grep -q reachable && break; sleep 0.5; done

java -cp "$classpath" org.portcullis.bench.BulkTable "jdbc:postgresql://127.0.0.1:25432/portcullis" "$pgpass" "$size"
java -cp "$classpath" org.portcullis.bench.BulkTable "jdbc:postgresql://127.0.0.1:25432/portcullis" "$pgpass" 0 copy-floor
pid=$(portcullis_pid)
jcmd "$pid" VM.flags | tr ' ' '\n' | grep MaxHeapSize
printf 'bench passphrase, long enough\n' > "$work/passphrase"

jstat -gc "$pid" 250 > "$work/jstat.txt" & jstat_pid=$!
cp "$work/gc.log" "$work/gc.mark"
t0=$(date +%s.%N)
shell "backup:create --passphrase-file $work/passphrase --to $work/big.pcbk" | tail -2
t1=$(date +%s.%N)
shell "backup:restore --passphrase-file $work/passphrase $work/big.pcbk" | tail -1
t2=$(date +%s.%N)
kill "$jstat_pid"
gc_from=$(grep -c "" "$work/gc.mark")

file=$(stat -c %s "$work/big.pcbk")
grep -o "made: .*" "$home/data/log/karaf.log" | tail -1
grep -o "restored by admin: .*" "$home/data/log/karaf.log" | tail -1
awk -v f="$file" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
    printf "backup file: %.1f MiB\n", f / 1048576
    printf "backup:create  %.1f s end to end, %.0f MiB/s of file\n", b - a, f / 1048576 / (b - a)
    printf "backup:restore %.1f s end to end (verify pass + restore pass), %.0f MiB/s of file per pass\n", c - b, 2 * f / 1048576 / (c - b)
}'
awk 'NR == 1 {for (i = 1; i <= NF; i++) col[$i] = i; next}
     $1 ~ /^[0-9.]+$/ {u = $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"]; if (u > max) max = u}
     END {printf "peak heap in use during both (garbage included): %.1f MiB (jstat samples: %d)\n", max / 1024, NR - 1}' "$work/jstat.txt"
tail -n +"$((gc_from + 1))" "$work/gc.log" | grep -E "Pause (Young|Full)" | grep -o "[0-9]*M->[0-9]*M" | awk -F'->' '{v = $2 + 0; if (v > max) max = v; n++}
    END {printf "largest heap after a collection during both: %d MiB (%d collections)\n", max, n}'
if grep -q OutOfMemoryError "$home/data/log/karaf.log"; then echo "OutOfMemoryError in karaf.log" >&2; exit 1; fi
