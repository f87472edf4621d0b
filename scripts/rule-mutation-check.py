#!/usr/bin/env python3
# Removes each validation rule of ReplyCheck in turn and runs the engine tests: every rule must be KILLED.
# Run from the repository root: python3 scripts/rule-mutation-check.py [rule name ...]
import subprocess
import sys
p="ntp-core/src/main/java/dev/pintp/ntp/internal/ReplyCheck.java"
orig=open(p).read()
# each mutation: (name, old, new)
muts=[
("wrong source", "if (!expect.server().equals(source)) {", "if (false) {"),
("length<48", "if (length < 48 || length % 4 != 0 || length > MAX_LENGTH) {", "if (length < 48) {"),
("length%4", "if (length < 48 || length % 4 != 0 || length > MAX_LENGTH) {", "if (length < 48 || length > MAX_LENGTH) {"),
("origin", "if (origin != expect.nonce()) {", "if (false) {"),
("duplicate", "if (expect.answered().contains(origin)) {", "if (false) {"),
("mode", "if (mode != 4) {", "if (false) {"),
("version", "if (version != 3 && version != 4) {", "if (false) {"),
("kod", "if (stratum == 0) {", "if (false) {"),
("leap", "if (leap == LeapIndicator.UNSYNCHRONIZED) {", "if (false) {"),
("stratum16", "if (stratum >= 16) {", "if (false) {"),
("zero tx", "if (rawTransmit == 0) {", "if (false) {"),
("zero rx", "if (rawReceive == 0) {", "if (false) {"),
("zero ref", "if (rawReference == 0) {", "if (false) {"),
("pre-epoch", "if (t2 < NtpTimestamps.UNIX_EPOCH_NANOS || t3 < NtpTimestamps.UNIX_EPOCH_NANOS) {", "if (false) {"),
("pre-epoch t3", "if (t2 < NtpTimestamps.UNIX_EPOCH_NANOS || t3 < NtpTimestamps.UNIX_EPOCH_NANOS) {", "if (t2 < NtpTimestamps.UNIX_EPOCH_NANOS) {"),
("rx>tx", "if (t2 > t3) {", "if (false) {"),
("ref>tx", "if (reference > t3) {", "if (false) {"),
("neg delay", "if (rawDelay < -tolerance) {", "if (false) {"),
("max delay", "if (delay.compareTo(expect.maxDelay()) > 0) {", "if (false) {"),
("root distance", "if (rootDistance.compareTo(expect.maxRootDistance()) > 0) {", "if (false) {"),
]
only = sys.argv[1:]
survivors = []
try:
    for name, a, b in muts:
        if only and name not in only:
            continue
        assert a in orig, name
        open(p, 'w').write(orig.replace(a, b, 1))
        r = subprocess.run("mvn -q -B -pl ntp-testkit,ntp-core test"
                           " -Dtest='ReplyCheckTest,UdpSntpClientTest,ReplyCheckPropertyTest'"
                           " -Dsurefire.failIfNoSpecifiedTests=false", shell=True, capture_output=True, text=True)
        fails = [l for l in r.stdout.splitlines() if l.startswith('[ERROR]   ')]
        print(f"{name}: {'KILLED' if r.returncode else 'SURVIVED'} ({len(fails)} failing) {fails[:1]}", flush=True)
        if r.returncode == 0:
            survivors.append(name)
finally:
    open(p, 'w').write(orig)
sys.exit(1 if survivors else 0)
