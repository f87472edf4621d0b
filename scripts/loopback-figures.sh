#!/bin/sh
# Loopback figures for docs/measurement.md. Run from the repository root.
set -eu
mvn -q -B -pl ntp-testkit,ntp-core compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt \
    -Dmdep.includeScope=test
exec java -cp "ntp-core/target/classes:ntp-testkit/target/classes:$(cat ntp-core/target/classpath.txt)" \
    scripts/LoopbackFigures.java
