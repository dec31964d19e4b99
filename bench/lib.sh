# Shared by the bench scripts (sourced, not run). Everything stays on 127.0.0.1.
# Ports used: Portcullis milter 21340, its PostgreSQL 25432, SSH 28101, RMI 21099/24444;
# the C milters 21341/21342; Postfix 22525 → smtp-sink 22526; Postfix's listener without milters
# (where the quarantine re-injects released mail) 22527.

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$bench_root/pom.xml" | head -1)
work=$(mktemp -d)
chmod 755 "$work"
pids=()
karaf=""
home=""

bench_cleanup() {
    # Karaf runs in its own process group (setsid): TERM the group so the JVM, not just its
    # wrapper script, stops, and let it stop its PostgreSQL before anything is deleted.
    if [ -n "$karaf" ]; then
        kill -TERM -- "-$karaf" 2>/dev/null || true
        for _ in $(seq 300); do kill -0 -- "-$karaf" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$karaf" 2>/dev/null || true
    fi
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ -f "$work/pf/etc/main.cf" ]; then postfix -c "$work/pf/etc" stop >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap bench_cleanup EXIT

need_packages() {  # installs Debian packages that are missing
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
        # apt starts no service (clamd, clamav-milter, rspamd): the benches start their own
        local added=""
        if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; added=yes; fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
        [ -z "$added" ] || rm -f /usr/sbin/policy-rc.d
    fi
}

wait_port() {
    for _ in $(seq 1200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done
    echo "port $1 never opened" >&2
    return 1
}

build_noop() {  # -> $work/noop-milter (the C libmilter reference)
    need_packages libmilter-dev gcc
    gcc -O2 -Wall -pthread -o "$work/noop-milter" "$bench_root/bench/noop-milter.c" -lmilter
}

# Starts the built distribution with the milter on 21340 and waits until it and its embedded
# PostgreSQL are up (on first boot the database is unpacked and created, which takes a core for
# several seconds: measuring during it measures that). Extra JVM options in $1.
start_portcullis() {
    tar xzf "$bench_root/assembly/target/portcullis-$version.tar.gz" -C "$work"
    home="$work/portcullis-$version"
    printf 'port = 21340\n' > "$home/etc/org.portcullis.milter.cfg"
    printf 'embedded.port = 25432\n' > "$home/etc/org.portcullis.storage.cfg"
    sed -i 's/^sshPort *=.*/sshPort = 28101/' "$home/etc/org.apache.karaf.shell.cfg"
    sed -i 's/^rmiRegistryPort *=.*/rmiRegistryPort = 21099/; s/^rmiServerPort *=.*/rmiServerPort = 24444/' \
        "$home/etc/org.apache.karaf.management.cfg"
    EXTRA_JAVA_OPTS="${1:-}" setsid "$home/bin/portcullis" server > "$work/portcullis.out" 2>&1 &
    karaf=$!
    wait_port 21340
    wait_port 25432
    sleep 2
}

portcullis_pid() { pgrep -f "karaf.home=$home" | head -1; }

load() { java -Xmx512m -cp "$bench_root/bench/target/classes" org.portcullis.bench.MilterLoad "$@"; }

# Postfix with its own configuration directory ($pf) under $work, listening on 127.0.0.1:22525
# and relaying everything to smtp-sink on 22526 (started here too); no milter until
# configure_milter. (The here-documents keep their lines at the left margin.)
pf="$work/pf"
start_bench_postfix() {
need_packages postfix
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
127.0.0.1:22527 inet n - n - - smtpd -o smtpd_milters= -o receive_override_options=no_milters
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
wait_port 22526
}

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

configure_milter() {  # milter address or empty
    if [ -n "$1" ]; then postconf -c "$pf/etc" -e "smtpd_milters = inet:$1"; else postconf -c "$pf/etc" -e "smtpd_milters ="; fi
    postfix -c "$pf/etc" reload >/dev/null 2>&1
    sleep 1
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# clamd on 127.0.0.1:23310, offline: MaxThreads 4, a signature database written here (two EICAR
# signatures, the string assembled from two halves); freshclam never runs.
start_bench_clamd() {
    need_packages clamav-daemon
    local cl="$work/clamd"
    mkdir -p "$cl/db" "$cl/tmp"
    local eicar; eicar=$(printf '%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR' '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*')
    printf '%s:%s:Bench.EICAR-MD5\n' "$(printf '%s' "$eicar" | md5sum | cut -d' ' -f1)" "${#eicar}" > "$cl/db/bench.hdb"
    printf 'Bench.EICAR-Body:0:*:%s\n' "$(printf '%s' "$eicar" | od -An -tx1 | tr -d ' \n')" > "$cl/db/bench.ndb"
    printf '%s\n' "Foreground yes" "DatabaseDirectory $cl/db" "OfficialDatabaseOnly no" "Bytecode no" "TCPSocket 23310" \
        "TCPAddr 127.0.0.1" "PidFile $cl/clamd.pid" "LogFile $cl/clamd.log" "TemporaryDirectory $cl/tmp" "SelfCheck 0" \
        "MaxThreads 4" "StreamMaxLength 30M" > "$cl/clamd.conf"
    /usr/sbin/clamd --config-file="$cl/clamd.conf" > "$cl/out" 2>&1 & pids+=($!)
    wait_port 23310
}

# The distribution (start_portcullis) with its ClamAV scanner on that clamd, up and answering;
# sets classpath (the bench classes and their dependencies), shell (a command over SSH) and pc_pid.
# After start_portcullis: $classpath (the bench tools) and shell "command" (over SSH as admin).
portcullis_shell() {
    local cp; cp=$(mktemp)
    (cd "$bench_root" && mvn -q -o dependency:build-classpath -pl bench -Dmdep.outputFile="$cp" >/dev/null)
    classpath="$bench_root/bench/target/classes:$(cat "$cp")"
    rm -f "$cp"
    password=$(cat "$home/data/portcullis/initial-admin-password")
    shell() { java -cp "$classpath" org.portcullis.bench.ShellCommand 28101 admin "$password" "$1" 2>/dev/null; }
    wait_port 28101
}

start_portcullis_clamav() {
    start_portcullis
    printf 'address = 127.0.0.1:23310\ntimeout.seconds = 60\nstream.max.bytes = 31457280\nmax.connections = 4\n' \
        > "$home/etc/org.portcullis.scanner.clamav.cfg"
    portcullis_shell
    shell "feature:install portcullis-scanner-clamav"
    local i
    for i in $(seq 120); do
        shell "milter:scanners" | grep -q "^clamav" && break
        [ "$i" -lt 120 ] || { echo "the ClamAV scanner never came up" >&2; exit 1; }
        sleep 0.5
    done
    pc_pid=$(portcullis_pid)
}
