# Shared by the bench scripts (sourced, not run). Everything stays on 127.0.0.1.
# Ports used: Portcullis milter 21340, its PostgreSQL 25432, SSH 28101, RMI 21099/24444;
# the C milters 21341/21342; Postfix 22525 → smtp-sink 22526.

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
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
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
