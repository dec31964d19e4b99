#!/usr/bin/env bash
# Through Postfix: smtp-source → Postfix (own config dir, 127.0.0.1:22525) → smtp-sink, with no
# milter, with Portcullis (no scanners), and with the C libmilter no-op; one SMTP session (so one
# milter connection) per message. A run's time ends when the sink has counted every message and
# the Postfix queue is empty. Loads: 4 KiB x 2000 / 20 sessions, 1 MiB x 200 / 10, 25 MiB x 10 / 2,
# RUNS times each (default 3), the variants' runs interleaved; prints the median time, msg/s and
# the with/without ratio.
# Needs root (Postfix's main daemon starts as root), the build (mvn install -DskipTests), postfix, gcc, libmilter-dev.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_noop
runs=${RUNS:-3}

start_bench_postfix
"$work/noop-milter" -p 21341 & pids+=($!)
start_portcullis
wait_port 22526; wait_port 21341

# warm Portcullis up through Postfix
configure_milter 127.0.0.1:21340
run_once warmup 4096 500 20 >/dev/null

# per load, the variants' runs alternate (none, Portcullis, C no-op, none, ...) so drift on the
# machine hits them alike
for spec in "4096 2000 20" "1048576 200 10" "26214400 10 2"; do
    read -r size count sessions <<< "$spec"
    declare -A times=() med=()
    for _ in $(seq "$runs"); do
        for variant in none portcullis libmilter-noop; do
            case $variant in
                none) configure_milter "" ;;
                portcullis) configure_milter 127.0.0.1:21340 ;;
                libmilter-noop) configure_milter 127.0.0.1:21341 ;;
            esac
            times[$variant]="${times[$variant]:-} $(run_once "$variant" "$size" "$count" "$sessions")"
        done
    done
    for variant in none portcullis libmilter-noop; do
        med[$variant]=$(printf '%s\n' ${times[$variant]} | median)
        printf '%-15s size=%-9s count=%-5s sessions=%-3s median %.2f s, %.1f msg/s (runs:%s)\n' "$variant" "$size" "$count" \
            "$sessions" "${med[$variant]}" "$(awk -v c="$count" -v t="${med[$variant]}" 'BEGIN {print c / t}')" "${times[$variant]}"
    done
    printf '  ratio with/without: portcullis %.2f, libmilter-noop %.2f\n' \
        "$(awk -v a="${med[none]}" -v b="${med[portcullis]}" 'BEGIN {print a / b}')" \
        "$(awk -v a="${med[none]}" -v b="${med[libmilter-noop]}" 'BEGIN {print a / b}')"
    unset times med
done
