#!/usr/bin/env bash
# How long an update holds mail off under load, and how long the whole apply takes: runs
# itests' UpdateWindowBench (failsafe runs only *IT classes, so the build never runs it). It
# builds the next version from this source with a new migration and an OS step (a .deb that dpkg
# installs on a root of its own), then per round (ROUNDS, default 3) a fresh appliance behind a
# gateway Postfix, with mail sender Postfix -> gateway -> smtp-sink at 20 msg/s and a probe
# session straight to the gateway every 100 ms during the update. Prints one UPDATE-WINDOW line
# per round. Needs root, the build (mvn install -DskipTests) and postfix.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
mvn -o -q -B verify -pl itests -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=UpdateWindowBench -Drounds="$rounds" \
    -Dfailsafe.failIfNoSpecifiedTests=false >/dev/null || { echo "update-window: the bench failed; see itests/target/failsafe-reports" >&2; exit 1; }
grep -h "^UPDATE-WINDOW" itests/target/failsafe-reports/org.portcullis.itests.UpdateWindowBench-output.txt
