package dev.pintp.probe;

import dev.pintp.ntp.NtpChecker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs the probe in-process through the real checker and SNTP client. Names resolve only through {@link #names}
 * (to loopback addresses) and address literals: a test can never send a DNS query or a packet beyond loopback.
 */
final class ProbeHarness {
    /** Host names a test may use, with their (loopback) addresses. */
    final Map<String, List<InetAddress>> names = new ConcurrentHashMap<>();
    /** How long each {@code --watch} wait was. */
    final List<Duration> sleeps = new ArrayList<>();
    /** Called on each {@code --watch} wait, before it returns: lets a test change a server between checks. */
    Runnable betweenChecks = () -> { };
    ProbeEnvironment.CheckerFactory checkers = config -> NtpChecker.custom(config).resolver(this::resolve).build();
    SystemDefaults defaults = new TimesyncdDefaults();
    boolean terminal;
    boolean unicode = true;

    /** The outcome of one run. */
    record Run(int code, String out, String err) {
    }

    Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        ProbeEnvironment.Sleeper sleeper = d -> {
            sleeps.add(d);
            betweenChecks.run();
        };
        int code = ProbeMain.run(args, new ProbeEnvironment(o, e, checkers, defaults, sleeper, terminal, unicode));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private List<InetAddress> resolve(String host) throws UnknownHostException {
        List<InetAddress> a = names.get(host);
        if (a != null) {
            return a;
        }
        if (host.matches("[0-9.]+") || host.contains(":")) {
            return List.of(InetAddress.getByName(host)); // a literal: parsed, never looked up
        }
        throw new UnknownHostException(host + ": not a test name");
    }
}
