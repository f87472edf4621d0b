package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.testkit.SntpTestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Debian's SNTP client, ntpdig (ntpsec), against the same scripted faults as this engine: ntpdig accepts each of
 * them, this engine refuses each. ntpdig always queries port 123, so the test server binds a random 127.x.y.z:123
 * (root or CAP_NET_BIND_SERVICE needed). ntpdig runs without -S/-s (it only reports) and with CAP_SYS_TIME removed
 * from its bounding set when setpriv exists, so it cannot touch the clock.
 *
 * <p>Runs in the verify phase (failsafe): {@code mvn -B -pl ntp-testkit,ntp-core verify}.
 */
@Tag("system")
class NtpdigComparisonSystemTest {
    private static final Path NTPDIG = Path.of("/usr/bin/ntpdig");
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Pattern OFFSET = Pattern.compile("\"offset\":\\s*(-?[0-9.eE+-]+)");
    private static final QueryOptions OPTIONS = new QueryOptions(1, Duration.ofSeconds(1), Duration.ofSeconds(5));

    private SntpTestServer server;

    @BeforeEach
    void start() throws IOException {
        if (!Files.isExecutable(NTPDIG)) {
            String msg = "\n\n*** SKIPPED: " + NTPDIG + " is missing; apt-get install ntpsec-ntpdig to run the ntpdig"
                    + " comparison ***\n";
            System.err.println(msg);
            Assumptions.abort(msg);
        }
        ThreadLocalRandom r = ThreadLocalRandom.current();
        InetAddress address = InetAddress.getByName("127.77." + r.nextInt(1, 255) + "." + r.nextInt(1, 255));
        try {
            server = SntpTestServer.start(Clock.systemUTC(), new InetSocketAddress(address, 123));
        } catch (IllegalStateException e) {
            String msg = "\n\n*** SKIPPED: cannot bind " + address.getHostAddress() + ":123 for ntpdig (needs root): "
                    + e.getCause() + " ***\n";
            System.err.println(msg);
            Assumptions.abort(msg);
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** ntpdig's output and exit code; the offset it reported, if it reported one. */
    private record Ntpdig(int exitCode, String stdout, String stderr) {
        boolean accepted() {
            return exitCode == 0 && OFFSET.matcher(stdout).find();
        }

        double offsetSeconds() {
            Matcher m = OFFSET.matcher(stdout);
            assertTrue(m.find(), stdout);
            return Double.parseDouble(m.group(1));
        }
    }

    private Ntpdig ntpdig() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETPRIV)) {
            command.addAll(List.of(SETPRIV.toString(), "--bounding-set", "-sys_time", "--"));
        }
        command.addAll(List.of(NTPDIG.toString(), "-j", "-t", "2", server.address().getAddress().getHostAddress()));
        Path out = Files.createTempFile("ntpdig", ".out");
        Path err = Files.createTempFile("ntpdig", ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("ntpdig did not finish in 20 s");
            }
            return new Ntpdig(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void bothAcceptAHealthyServerAndAgreeOnItsOffset() throws Exception {
        server.offset(Duration.ofMillis(2500));
        Ntpdig dig = ntpdig();
        assertTrue(dig.accepted(), dig::toString);
        assertEquals(2.5, dig.offsetSeconds(), 0.05, dig::toString);
        QueryResult ours = SntpClient.ofDefaults().query(server.address(), OPTIONS.withSamples(3));
        assertEquals(Outcome.OK, ours.outcome(), ours::toString);
        double oursSeconds = ours.best().orElseThrow().offset().toNanos() / 1e9;
        assertEquals(dig.offsetSeconds(), oursSeconds, 0.05);
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("wrong origin", (Consumer<SntpTestServer>) s -> s.wrongOrigin(true), Outcome.TIMEOUT,
                        null),
                Arguments.of("zero transmit timestamp", (Consumer<SntpTestServer>) s -> s.zeroTransmit(true),
                        Outcome.REJECTED, RefusalReason.ZERO_TRANSMIT),
                Arguments.of("root dispersion 6 s", (Consumer<SntpTestServer>) s -> s.rootDispersion(
                        Duration.ofSeconds(6)), Outcome.REJECTED, RefusalReason.ROOT_DISTANCE_TOO_LARGE),
                Arguments.of("reply from another port", (Consumer<SntpTestServer>) s -> s.fromOtherPort(true),
                        Outcome.TIMEOUT, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void ntpdigAcceptsWhatThisEngineRefuses(String name, Consumer<SntpTestServer> fault, Outcome ours,
            RejectReason reason) throws Exception {
        server.offset(Duration.ofMillis(2500));
        fault.accept(server);
        Ntpdig dig = ntpdig();
        System.out.printf("ntpdig, %s: exit %d, %s%n", name, dig.exitCode(), dig.stdout().strip());
        assertTrue(dig.accepted(), () -> "ntpdig refused " + name + " after all: " + dig);

        QueryResult result = SntpClient.ofDefaults().query(server.address(), OPTIONS);
        System.out.printf("pintp,  %s: %s %s (%s)%n", name, result.outcome(), result.reason().orElse(null),
                result.detail());
        assertEquals(ours, result.outcome(), result::toString);
        if (reason != null) {
            assertEquals(reason, result.reason().orElseThrow());
        }
    }
}
