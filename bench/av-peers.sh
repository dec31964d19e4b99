#!/usr/bin/env bash
# The antivirus job, side by side through one Postfix and one clamd: Postfix with no milter, with
# clamav-milter, with rspamd 3.4 in milter mode (its antivirus module only, whole message to
# clamd), and with Portcullis and its ClamAV scanner. Every milter asks the same clamd (MaxThreads
# 4, an offline signature database written here: two EICAR signatures, the string assembled from
# two halves; freshclam never runs). One SMTP session per message. Loads: 4 KiB x 2000 on 20
# sessions and 1 MiB x 200 on 10 (smtp-source's plain bodies); 100 KiB x 2000 on 20 of MIME mail
# with a binary attachment, every 10th also with EICAR attached (SmtpLoad; each milter must
# refuse exactly those); RUNS rounds (default 3), the variants interleaved within
# each round. Prints per load and variant the median msg/s and the median CPU seconds the milter
# process (with its children) used per run, and how busy the machine was: the CPU the rest of the
# job (Postfix, clamd, the load tools) took per message gives the most any milter could reach here.
# Needs root, the build (mvn install -DskipTests), and the Debian packages it installs when missing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_packages clamav-daemon clamav-milter rspamd
runs=${RUNS:-3}

# clamd, offline
start_bench_clamd

# clamav-milter: reject infected, defer on failure, its verdict header
cm="$work/clamav-milter"
mkdir -p "$cm/tmp"
cat > "$cm/clamav-milter.conf" <<CF
MilterSocket inet:21343@127.0.0.1
FixStaleSocket yes
ReadTimeout 120
Foreground yes
ClamdSocket tcp:127.0.0.1:23310
OnClean Accept
OnInfected Reject
OnFail Defer
AddHeader Replace
MaxFileSize 30M
TemporaryDirectory $cm/tmp
LogFile $cm/clamav-milter.log
LogSyslog no
LogClean Off
CF
clamav-milter -c "$cm/clamav-milter.conf" > "$cm/out" 2>&1 & pids+=($!)
cm_pid=$!
wait_port 21343

# rspamd: its milter proxy in front of one normal worker running only the antivirus module
rs="$work/rspamd"
mkdir -p "$rs/run" "$rs/db" "$rs/tmp"
chmod 777 "$rs" "$rs/run" "$rs/db" "$rs/tmp"
cat > "$rs/rspamd.conf" <<CF
options {
  pidfile = "$rs/run/rspamd.pid";
  filters = "";
  explicit_modules = [];
  cache_file = "$rs/db/symbols.cache";
  hs_cache_dir = "$rs/db/";
  tempdir = "$rs/tmp";
  task_timeout = 120s;
  local_addrs = [127.0.0.0/8];
  dns { nameserver = ["127.0.0.1:53"]; timeout = 1s; retransmits = 1; }
}
logging { type = "file"; filename = "$rs/rspamd.log"; level = "notice"; }
actions { reject = 1000; }
modules { path = "/usr/share/rspamd/plugins/antivirus.lua"; }
antivirus {
  clamav {
    type = "clamav";
    symbol = "CLAM_VIRUS";
    servers = "127.0.0.1:23310";
    action = "reject";
    scan_mime_parts = false;
    timeout = 60.0;
  }
}
worker "normal" { bind_socket = "127.0.0.1:21345"; }
worker "rspamd_proxy" {
  bind_socket = "127.0.0.1:21344";
  milter = yes;
  timeout = 120s;
  count = 1;
  upstream "local" { default = yes; hosts = "127.0.0.1:21345"; }
}
CF
rspamd -c "$rs/rspamd.conf" -f -u _rspamd -g _rspamd > "$rs/out" 2>&1 & pids+=($!)  # its workers refuse to run as root
rs_pid=$!
wait_port 21344

# Portcullis with its ClamAV scanner on the same clamd
start_portcullis_clamav

start_bench_postfix

# CPU seconds (user + system, reaped children included) of a process and all its descendants
cpu_seconds() {
    local all=("$1") next=("$1") p
    while [ ${#next[@]} -gt 0 ]; do
        local children=()
        for p in "${next[@]}"; do while read -r c; do children+=("$c"); done < <(pgrep -P "$p" || true); done
        all+=("${children[@]}")
        next=("${children[@]}")
    done
    for p in "${all[@]}"; do awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat" 2>/dev/null || true; done \
        | awk -v hz="$(getconf CLK_TCK)" '{s += $1} END {printf "%.2f", s / hz}'
}

# CPU seconds of Portcullis's embedded PostgreSQL: the postmaster (not a child of the JVM: pg_ctl
# leaves it to init) and its backends
db_seconds() {
    local pm; pm=$(pgrep -f "$home/data/postgresql/data" | head -1)
    if [ -n "$pm" ]; then cpu_seconds "$pm"; else echo 0; fi
}

# The mixed load: SmtpLoad's MIME messages with a binary attachment, every 10th with EICAR too.
# Every variant must refuse exactly the infected ones (the no-milter run delivers all); prints seconds.
run_mixed() {
    local milter=$1 size=$2 count=$3 sessions=$4
    local before; before=$(sunk); before=${before:-0}
    local t0; t0=$(date +%s.%N)
    local out; out=$(java -cp "$classpath" org.portcullis.bench.SmtpLoad --server 127.0.0.1:22525 --size "$size" --count "$count" \
        --sessions "$sessions" --infected-every 10)
    local accepted refused; accepted=$(awk '{print $2}' <<< "$out"); refused=$(awk '{print $4}' <<< "$out")
    local want=$((count / 10)); [ "$milter" != none ] || want=0
    if [ "$refused" -ne "$want" ] || [ "$accepted" -ne $((count - want)) ]; then
        echo "milter '$milter' on the mixed load: $out (expected $want refused)" >&2; return 1
    fi
    while :; do
        local now; now=$(sunk); now=${now:-0}
        if [ $((now - before)) -ge "$accepted" ] && [ "$(queued)" -eq 0 ]; then break; fi
        sleep 0.02
    done
    awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN {print a - b}'
}

# THREADS=yes: CPU ticks per thread name of the Portcullis JVM (digits folded, so a pool is one
# line), summed over its measured runs: where its CPU per message goes (GC, JIT, event loops, pools)
thread_ticks() {
    local t
    for t in /proc/"$1"/task/*; do
        local name; name=$(tr -d '\n' < "$t/comm" 2>/dev/null) || continue
        local stat; stat=$(cat "$t/stat" 2>/dev/null) || continue
        stat=${stat##*) }
        awk -v n="${name//[0-9]/#}" '{print n " (user)\t" $12; print n " (system)\t" $13}' <<< "$stat"
    done | awk -F'\t' '{s[$1] += $2} END {for (n in s) print n "\t" s[n]}'
}
# appends this run's ticks per thread name (timed_run runs in a subshell: the sum is kept in a file)
thread_delta() {
    awk -F'\t' 'NR == FNR {b[$1] = $2; next} {print $1 "\t" $2 - b[$1]}' "$1" "$2" >> "$work/threads-runs"
}

# the whole machine's busy and total CPU seconds so far (/proc/stat: every state but idle and iowait is busy)
machine_seconds() {
    awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" {busy = $2 + $3 + $4 + $7 + $8 + $9; printf "%.2f %.2f", busy / hz, (busy + $5 + $6) / hz}' /proc/stat
}

# one timed run with the CPU of $2 (a pid, or none): prints "seconds cpu db-cpu machine-busy machine-total"
timed_run() {
    local milter=$1 pid=$2 size=$3 count=$4 sessions=$5 c0=0 c1=0 d0=0 d1=0
    [ "$pid" = none ] || c0=$(cpu_seconds "$pid")
    [ "$milter" != portcullis ] || d0=$(db_seconds)
    local m0; m0=$(machine_seconds)
    local tb="$work/threads-before" ta="$work/threads-after"
    [ "${THREADS:-no}" != yes ] || [ "$milter" != portcullis ] || thread_ticks "$pid" > "$tb"
    local t
    if [ "$MIXED" = yes ]; then t=$(run_mixed "$milter" "$size" "$count" "$sessions"); else t=$(run_once "$milter" "$size" "$count" "$sessions"); fi
    local m1; m1=$(machine_seconds)
    [ "$pid" = none ] || c1=$(cpu_seconds "$pid")
    [ "${THREADS:-no}" != yes ] || [ "$milter" != portcullis ] || { thread_ticks "$pid" > "$ta"; thread_delta "$tb" "$ta"; }
    [ "$milter" != portcullis ] || d1=$(db_seconds)
    echo "$t $(awk -v a="$c1" -v b="$c0" 'BEGIN {printf "%.2f", a - b}') $(awk -v a="$d1" -v b="$d0" 'BEGIN {printf "%.2f", a - b}')" \
        "$(awk -v a="$m1" -v b="$m0" 'BEGIN {split(a, x, " "); split(b, y, " "); printf "%.2f %.2f", x[1] - y[1], x[2] - y[2]}')"
}

declare -A address=([none]="" [clamav-milter]=127.0.0.1:21343 [rspamd]=127.0.0.1:21344 [portcullis]=127.0.0.1:21340)
declare -A process=([none]=none [clamav-milter]=$cm_pid [rspamd]=$rs_pid [portcullis]=$pc_pid)
variants=(none clamav-milter rspamd portcullis)

# Portcullis is a long-running JVM: what is measured is its steady state, after the JIT has
# compiled the mail path (the C milters need no warm-up): WARMUP_PORTCULLIS 4 KiB messages and a
# sixth as many 100 KiB ones with an attachment, straight over the milter protocol (MilterLoad,
# as bench/profile-av.sh does); 0 measures a JVM that has seen only the 300 messages through
# Postfix below.
warm=${WARMUP_PORTCULLIS:-30000}
if [ "$warm" -gt 0 ]; then
    load --milter 127.0.0.1:21340 --size 4096 --count "$warm" --concurrency 20 --expect-header clamav=clean >/dev/null
    load --milter 127.0.0.1:21340 --size 102400 --count $((warm / 6)) --concurrency 20 --expect-header clamav=clean --attachment >/dev/null
fi
# every milter once through Postfix first (WARMUP_POSTFIX messages, default 300)
for v in clamav-milter rspamd portcullis; do
    configure_milter "${address[$v]}"
    run_once "warmup-$v" 4096 "${WARMUP_POSTFIX:-300}" 20 >/dev/null
done

# PROFILE_JFR=file: a JDK Flight Recorder recording of Portcullis over the measured rounds, and its hottest methods
# (the JDK's "profile" settings, with every JIT compilation recorded, not only those over 100 ms)
if [ -n "${PROFILE_JFR:-}" ]; then
    jfc="$work/profile.jfc"
    sed '/"jdk.Compilation"/,/<\/event>/ s/>100 ms</>0 ms</' "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/jfr/profile.jfc" > "$jfc"
    jcmd "$pc_pid" JFR.start name=peers settings="$jfc" filename="$PROFILE_JFR" >/dev/null
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; clamd MaxThreads 4; runs $runs"
# LOADS picks some: "size count sessions plain|mixed", several separated by ';'
IFS=';' read -r -a loads <<< "${LOADS:-4096 2000 20 plain;1048576 200 10 plain;102400 2000 20 mixed}"
for spec in "${loads[@]}"; do
    read -r size count sessions kind <<< "$spec"
    MIXED=$([ "$kind" = mixed ] && echo yes || echo no)
    declare -A secs=() cpus=() dbs=() busy=() rest=()
    for _ in $(seq "$runs"); do
        for v in "${variants[@]}"; do
            configure_milter "${address[$v]}"
            read -r s c d mb mt < <(timed_run "$v" "${process[$v]}" "$size" "$count" "$sessions")
            secs[$v]="${secs[$v]:-} $s"
            busy[$v]="${busy[$v]:-} $(awk -v b="$mb" -v t="$mt" 'BEGIN {printf "%.1f", (t > 0) ? 100 * b / t : 0}')"
            # what the rest of the job (Postfix, clamd, the load tools) cost this run, without the milter and its database
            rest[$v]="${rest[$v]:-} $(awk -v b="$mb" -v c="$c" -v d="$d" -v n="$count" 'BEGIN {printf "%.3f", (b - c - d) * 1000 / n}')"
            cpus[$v]="${cpus[$v]:-} $c"
            dbs[$v]="${dbs[$v]:-} $d"
        done
    done
    for v in "${variants[@]}"; do
        ms=$(printf '%s\n' ${secs[$v]} | median)
        mc=$(printf '%s\n' ${cpus[$v]} | median)
        md=$(printf '%s\n' ${dbs[$v]} | median)
        printf '%-14s %-5s size=%-8s count=%-5s sessions=%-3s median %6.2f s  %7.1f msg/s  milter CPU %5.2f s/run (%.2f ms/msg)%s  runs:%s\n' \
            "$v" "$kind" "$size" "$count" "$sessions" "$ms" "$(awk -v c="$count" -v t="$ms" 'BEGIN {print c / t}')" "$mc" \
            "$(awk -v c="$count" -v t="$mc" 'BEGIN {print t * 1000 / c}')" \
            "$([ "$v" = portcullis ] && awk -v c="$count" -v t="$md" 'BEGIN {printf ", + its PostgreSQL %.2f s (%.2f ms/msg)", t, t * 1000 / c}')" \
            "${secs[$v]}"
        mr=$(printf '%s\n' ${rest[$v]} | median)
        printf '%-14s %-5s   machine busy %s %% (median of runs:%s); the job without the milter %.2f ms CPU/msg: with a milter costing nothing at most %.0f msg/s\n' \
            "" "" "$(printf '%s\n' ${busy[$v]} | median)" "${busy[$v]}" "$mr" "$(awk -v r="$mr" -v n="$(nproc)" 'BEGIN {print (r > 0) ? n * 1000 / r : 0}')"
    done
    unset secs cpus dbs busy rest
done
if [ "${THREADS:-no}" = yes ]; then
    echo "Portcullis CPU by thread over its measured runs (ms; # stands for digits):"
    awk -F'\t' -v hz="$(getconf CLK_TCK)" '{s[$1] += $2} END {for (n in s) if (s[n] > 0) printf "%8.0f  %s\n", s[n] * 1000 / hz, n}' \
        "$work/threads-runs" | sort -rn
fi
if [ -n "${PROFILE_JFR:-}" ]; then
    jcmd "$pc_pid" JFR.stop name=peers >/dev/null
    java -cp "$classpath" org.portcullis.bench.JfrTop "$PROFILE_JFR" "${TOP:-40}"
fi
