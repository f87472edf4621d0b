#!/usr/bin/env bash
# What picocli would cost ntp-probe at start-up: the probe's own hand-written parser (`ntp-probe.jar --version`,
# which parses the command line and prints one line) against a picocli 4.7.7 command with the same options doing
# the same, each as plain `java -cp` and with an AppCDS archive. No network; needs a JDK, Maven and hyperfine.
#
#   scripts/bench-probe-picocli.sh [RUNS]      (default 30)
set -euo pipefail
runs=${1:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
jar="$here/ntp-probe/target/ntp-probe.jar"
[[ -f "$jar" ]] || mvn -q -B -f "$here/pom.xml" -pl ntp-probe -am package -DskipTests
tmp=$(mktemp -d /tmp/bench-picocli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mvn -q -B dependency:copy -Dartifact=info.picocli:picocli:4.7.7 -DoutputDirectory="$tmp" >&2
cat > "$tmp/PicocliProbe.java" <<'JAVA'
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ntp-probe", version = "ntp-probe picocli", mixinStandardHelpOptions = true)
public class PicocliProbe implements Callable<Integer> {
    @Parameters(arity = "0..*") List<String> servers;
    @Option(names = "--primary") List<String> primaries;
    @Option(names = "--fallback") List<String> fallbacks;
    @Option(names = "--root") String root;
    @Option(names = "--samples") Integer samples;
    @Option(names = "--timeout") String timeout;
    @Option(names = "--max-root-distance") String maxRootDistance;
    @Option(names = "--max-offset") String maxOffset;
    @Option(names = "--json") boolean json;
    @Option(names = "--nagios") boolean nagios;
    @Option(names = {"-w", "--warning"}) String warning;
    @Option(names = {"-c", "--critical"}) String critical;
    @Option(names = "--watch") String watch;
    @Option(names = "--count") Integer count;

    @Override
    public Integer call() {
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new PicocliProbe()).execute(args));
    }
}
JAVA
javac -d "$tmp/classes" -cp "$tmp/picocli-4.7.7.jar" "$tmp/PicocliProbe.java"
jar cf "$tmp/picocli-probe.jar" -C "$tmp/classes" .
pcp="$tmp/picocli-4.7.7.jar:$tmp/picocli-probe.jar"
java -XX:ArchiveClassesAtExit="$tmp/picocli.jsa" -cp "$pcp" PicocliProbe --version >/dev/null 2>&1
java -XX:ArchiveClassesAtExit="$tmp/probe.jsa" -cp "$jar" dev.pintp.probe.ProbeMain --version >/dev/null 2>&1
cds="-Xlog:cds=off -Xlog:cds+dynamic=off -XX:SharedArchiveFile"
hyperfine -N --warmup 3 --runs "$runs" --export-json "$tmp/h.json" \
    -n "hand-written parser" "java -cp $jar dev.pintp.probe.ProbeMain --version" \
    -n "picocli" "java -cp $pcp PicocliProbe --version" \
    -n "hand-written parser + CDS" "java $cds=$tmp/probe.jsa -cp $jar dev.pintp.probe.ProbeMain --version" \
    -n "picocli + CDS" "java $cds=$tmp/picocli.jsa -cp $pcp PicocliProbe --version" >&2
python3 - "$tmp/h.json" <<'PY'
import json, sys
print("| command | wall ms (median) | CPU ms (user+sys, mean) |")
print("|---|---:|---:|")
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"| {r['command']} | {r['median'] * 1000:.1f} | {(r['user'] + r['system']) * 1000:.1f} |")
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
