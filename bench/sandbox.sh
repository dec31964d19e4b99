#!/usr/bin/env bash
# Held mail and the sandbox, through Postfix: Portcullis with the sandbox holding every message
# with an attachment (hold = attachments), its built-in analysers only, releasing to smtp-sink
# through Postfix's listener without milters (127.0.0.1:22527), or with LISTENER=milter through
# the gateway's own listener, whose milter lets each released copy pass once on its signed header
# (the quarantine README's recommended set-up). For each number of
# attachments (ATTACHMENTS, default "1 5 20"), COUNT messages (default 300) of SIZE bytes (default
# 102400, shared by the attachments) on SESSIONS SMTP sessions (default 10):
#   - hold: msg/s while Postfix hands them over (each stored in PostgreSQL before the answer);
#   - end to end: seconds from the first message sent to the last one released at the sink;
#   - analysis: median and largest wall time of one message's analysis (the mail log's ms=).
# Then the same load with the sandbox off (hold = off): plain delivery, for comparison.
# Needs root, the build (mvn install -DskipTests), and Postfix (installed when missing).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_packages postfix
count=${COUNT:-300}
size=${SIZE:-102400}
sessions=${SESSIONS:-10}

start_portcullis
portcullis_shell
listener_port=22527
[ "${LISTENER:-plain}" = milter ] && listener_port=22525
printf 'reinject.host = 127.0.0.1\nreinject.port = %s\n' "$listener_port" > "$home/etc/org.portcullis.quarantine.cfg"
printf 'hold = attachments\npoll.seconds = 1\n' > "$home/etc/org.portcullis.sandbox.cfg"
shell "feature:install portcullis-sandbox" >/dev/null
for i in $(seq 120); do
    shell "service:list org.portcullis.scanner.PartScanner" | grep -q "Portcullis sandbox" && break
    [ "$i" -lt 120 ] || { echo "the sandbox never came up" >&2; exit 1; }
    sleep 0.5
done
start_bench_postfix
configure_milter 127.0.0.1:21340

mail_log="$home/data/log/mail.log"
# one batch: prints "hold-seconds end-to-end-seconds"
batch() {
    local n=$1 before; before=$(sunk); before=${before:-0}
    local t0; t0=$(date +%s.%N)
    local out; out=$(java -cp "$classpath" org.portcullis.bench.SmtpLoad --server 127.0.0.1:22525 --size "$size" --count "$count" \
        --sessions "$sessions" --attachments "$n")
    local accepted; accepted=$(awk '{print $2}' <<< "$out")
    [ "$accepted" -eq "$count" ] || { echo "with $n attachments: $out" >&2; exit 1; }
    local held; held=$(awk '{print $8}' <<< "$out")
    while :; do
        local now; now=$(sunk); now=${now:-0}
        if [ $((now - before)) -ge "$count" ] && [ "$(queued)" -eq 0 ]; then break; fi
        sleep 0.1
    done
    echo "$held $(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN {print a - b}')"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; count $count, size $size, sessions $sessions"
# warm-up: the JIT and the pool (not counted)
COUNT_SAVED=$count; count=100; batch 1 >/dev/null; count=$COUNT_SAVED
for n in ${ATTACHMENTS:-1 5 20}; do
    lines_before=$(grep -c "stage=sandbox" "$mail_log" || true)
    read -r held total < <(batch "$n")
    ms=$(grep "stage=sandbox" "$mail_log" | tail -n +$((lines_before + 1)) | sed -n 's/.* ms=\([0-9]*\)$/\1/p' | sort -n)
    released=$(grep "stage=sandbox" "$mail_log" | tail -n +$((lines_before + 1)) | grep -c "verdict=deliver" || true)
    printf 'attachments %-3s hold %6.1f msg/s (%.2f s)  end to end %6.2f s (%.1f msg/s)  released %s  analysis ms: median %s, max %s\n' \
        "$n" "$(awk -v c="$count" -v t="$held" 'BEGIN {print c / t}')" "$held" "$total" "$(awk -v c="$count" -v t="$total" 'BEGIN {print c / t}')" \
        "$released" "$(median <<< "$ms")" "$(tail -1 <<< "$ms")"
done
printf 'hold = off\npoll.seconds = 1\n' > "$home/etc/org.portcullis.sandbox.cfg"
sleep 3
for n in ${ATTACHMENTS:-1 5 20}; do
    read -r held total < <(batch "$n")
    printf 'attachments %-3s sandbox off: %6.1f msg/s accepted, delivered in %.2f s\n' "$n" "$(awk -v c="$count" -v t="$held" 'BEGIN {print c / t}')" "$total"
done
