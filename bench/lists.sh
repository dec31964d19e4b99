#!/usr/bin/env bash
# Allow/Block lists with one million entries across scopes and kinds (bench/src/.../LargeLists):
#   1. a full load of the index from a real PostgreSQL (embedded, temporary), 3 runs, with the
#      heap the index holds;
#   2. JMH: one lookup as the milter makes it (SampleTime; read p0.99, target <= 5 us).
# Needs the build (mvn install -DskipTests). JMH_ARGS overrides the JMH run options. The
# "baseline" benchmark is the same loop without the lookup: the floor of the machine's timing.
set -euo pipefail
cd "$(dirname "$0")/.."
cp=$(mktemp)
trap 'rm -f "$cp"' EXIT
mvn -q -o dependency:build-classpath -pl bench -Dmdep.outputFile="$cp" >/dev/null
classpath="bench/target/classes:$(cat "$cp")"
# the JVM options the distribution's bin/setenv uses (transparent huge pages for the heap)
jvm=(-Xmx4g -XX:+UseTransparentHugePages)
java "${jvm[@]}" -cp "$classpath" org.portcullis.lists.internal.ListLoadMeasure 1000000
# shellcheck disable=SC2086
java -Xmx4g -cp "$classpath" org.openjdk.jmh.Main ListLookupBenchmark -jvmArgsAppend "-XX:+UseTransparentHugePages" \
    ${JMH_ARGS:--f 1 -wi 3 -w 2s -i 5 -r 3s}
