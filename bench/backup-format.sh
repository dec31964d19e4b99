#!/usr/bin/env bash
# Payload throughput of the backup format (segmented AES-256-GCM, 1 MiB segments): encrypt only,
# then encrypt + verify + decrypt through a pipe; 1 GiB by default (first argument: MiB).
# Needs the build (mvn install -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."
cp=$(mktemp)
trap 'rm -f "$cp"' EXIT
mvn -q -o dependency:build-classpath -pl bench -Dmdep.outputFile="$cp" >/dev/null
java -Xmx512m -cp "bench/target/classes:$(cat "$cp")" org.portcullis.backup.internal.BackupThroughput "${1:-1024}"
