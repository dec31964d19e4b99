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
need_packages postfix
build_noop
runs=${RUNS:-3}

pf="$work/pf"
mkdir -p "$pf/etc" "$pf/queue" "$pf/data" "$pf/log"
chown postfix:postfix "$pf/data"
cat > "$pf/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-bench
myhostname = bench.portcullis.test
mydestination =
local_recipient_maps =
relay_domains =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:22526
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtputf8_enable = no
biff = no
message_size_limit = 104857600
in_flow_delay = 0
initial_destination_concurrency = 10
default_destination_concurrency_limit = 50
delay_warning_time = 0
notify_classes =
smtpd_milters =
milter_protocol = 6
milter_default_action = tempfail
maillog_file = $pf/log/maillog
maillog_file_prefixes = $pf
CF
# the services table; its file name is fixed by Postfix
cat > "$pf/etc/master.cf" <<CF
127.0.0.1:22525 inet n - n - - smtpd
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
CF
postfix -c "$pf/etc" check
postfix -c "$pf/etc" start >/dev/null 2>&1

smtp-sink -u postfix -c 127.0.0.1:22526 256 > "$work/sink.out" 2>&1 & pids+=($!)
"$work/noop-milter" -p 21341 & pids+=($!)
start_portcullis
wait_port 22526; wait_port 21341

sunk() { tr '\r' '\n' < "$work/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -1; }
queued() { find "$pf/queue/incoming" "$pf/queue/active" "$pf/queue/deferred" "$pf/queue/hold" "$pf/queue/maildrop" -type f 2>/dev/null | wc -l; }

# one run: milter (or none), size, count, sessions → seconds
run_once() {
    local milter=$1 size=$2 count=$3 sessions=$4
    local before; before=$(sunk); before=${before:-0}
    local t0; t0=$(date +%s.%N)
    smtp-source -s "$sessions" -m "$count" -l "$size" -f sender@bench.test -t rcpt@bench.test 127.0.0.1:22525
    while :; do
        local now; now=$(sunk); now=${now:-0}
        if [ $((now - before)) -ge "$count" ] && [ "$(queued)" -eq 0 ]; then break; fi
        if [ "$(find "$pf/queue/deferred" -type f | wc -l)" -gt 0 ]; then
            echo "messages deferred with milter '$milter' (see $pf/log/maillog)" >&2; tail -5 "$pf/log/maillog" >&2; return 1
        fi
        sleep 0.02
    done
    awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN {print a - b}'
}

configure() {  # milter address or empty
    if [ -n "$1" ]; then postconf -c "$pf/etc" -e "smtpd_milters = inet:$1"; else postconf -c "$pf/etc" -e "smtpd_milters ="; fi
    postfix -c "$pf/etc" reload >/dev/null 2>&1
    sleep 1
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# warm Portcullis up through Postfix
configure 127.0.0.1:21340
run_once warmup 4096 500 20 >/dev/null

# per load, the variants' runs alternate (none, Portcullis, C no-op, none, ...) so drift on the
# machine hits them alike
for spec in "4096 2000 20" "1048576 200 10" "26214400 10 2"; do
    read -r size count sessions <<< "$spec"
    declare -A times=() med=()
    for _ in $(seq "$runs"); do
        for variant in none portcullis libmilter-noop; do
            case $variant in
                none) configure "" ;;
                portcullis) configure 127.0.0.1:21340 ;;
                libmilter-noop) configure 127.0.0.1:21341 ;;
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
