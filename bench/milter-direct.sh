#!/usr/bin/env bash
# Direct milter throughput, side by side in one run on this machine:
#   - Portcullis: the built distribution, milter with no scanners (a no-op pipeline);
#   - the C libmilter no-op milter (bench/noop-milter.c), and the same adding one header (-H).
# Loads: 4 KiB x 2000 msgs / 20 conns, 1 MiB x 200 / 10, 25 MiB x 10 / 2; a new milter
# connection per message (as Postfix per SMTP session) and, for Portcullis, reused connections.
# Each load runs RUNS times (default 3) and the median run is reported, with every run's msg/s.
# Everything stays on 127.0.0.1. Needs: the build (mvn install -DskipTests), gcc, libmilter-dev.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
work=$(mktemp -d)
pids=()
karaf=""
cleanup() {
    # Karaf runs in its own process group (setsid): TERM the group so the JVM, not just its
    # wrapper script, stops, and let it stop its PostgreSQL before anything is deleted.
    if [ -n "$karaf" ]; then
        kill -TERM -- "-$karaf" 2>/dev/null || true
        for _ in $(seq 300); do kill -0 -- "-$karaf" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$karaf" 2>/dev/null || true
    fi
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

if ! dpkg-query -W -f='${Status}' libmilter-dev 2>/dev/null | grep -q "install ok installed"; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libmilter-dev gcc >/dev/null
fi
gcc -O2 -Wall -pthread -o "$work/noop-milter" bench/noop-milter.c -lmilter

runs=${RUNS:-3}
load() { java -Xmx512m -cp bench/target/classes org.portcullis.bench.MilterLoad --runs "$runs" "$@"; }
wait_port() { for _ in $(seq 600); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
loads() {  # label, port, extra args
    local label=$1 port=$2; shift 2
    load --label "$label" --milter 127.0.0.1:"$port" --size 4096 --count 2000 --concurrency 20 "$@"
    load --label "$label" --milter 127.0.0.1:"$port" --size 1048576 --count 200 --concurrency 10 "$@"
    load --label "$label" --milter 127.0.0.1:"$port" --size 26214400 --count 10 --concurrency 2 "$@"
}

# Portcullis
tar xzf "assembly/target/portcullis-$version.tar.gz" -C "$work"
home="$work/portcullis-$version"
printf 'port = 21340\n' > "$home/etc/org.portcullis.milter.cfg"
printf 'embedded.port = 25432\n' > "$home/etc/org.portcullis.storage.cfg"
sed -i 's/^sshPort *=.*/sshPort = 28101/' "$home/etc/org.apache.karaf.shell.cfg"
sed -i 's/^rmiRegistryPort *=.*/rmiRegistryPort = 21099/; s/^rmiServerPort *=.*/rmiServerPort = 24444/' "$home/etc/org.apache.karaf.management.cfg"
setsid "$home/bin/portcullis" server > "$work/portcullis.out" 2>&1 &
karaf=$!
wait_port 21340
load --label warmup --milter 127.0.0.1:21340 --size 4096 --count 2000 --concurrency 20 --runs 1 >/dev/null
loads portcullis 21340
loads portcullis 21340 --reuse

# C libmilter no-op, then adding a header
"$work/noop-milter" -p 21341 & pids+=($!)
"$work/noop-milter" -p 21342 -H & pids+=($!)
wait_port 21341; wait_port 21342
loads libmilter-noop 21341
loads libmilter-noop+header 21342
