import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.QueryOptions;
import dev.pintp.ntp.QueryResult;
import dev.pintp.ntp.SntpClient;
import dev.pintp.ntp.testkit.SntpTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Loopback figures for docs/measurement.md: the delay of a cold JVM's first exchange, the spread of single-exchange
 * delays and offset errors, and the offset error of 4-exchange bursts, against SntpTestServer scripted +2.5 s.
 * Run with scripts/loopback-figures.sh.
 */
public class LoopbackFigures {
    public static void main(String[] args) {
        Duration injected = Duration.ofMillis(2500);
        try (SntpTestServer server = SntpTestServer.start().offset(injected)) {
            SntpClient client = SntpClient.ofDefaults();
            QueryOptions one = new QueryOptions(1, Duration.ofSeconds(1), Duration.ofSeconds(5));
            List<Long> delays = new ArrayList<>();
            List<Long> errors = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                NtpSample s = client.query(server.address(), one).best().orElseThrow();
                delays.add(s.delay().toNanos());
                errors.add(Math.abs(s.offset().minus(injected).toNanos()));
            }
            System.out.printf("first exchange of the JVM: delay %.3f ms, offset error %.3f ms%n",
                    delays.get(0) / 1e6, errors.get(0) / 1e6);
            List<Long> rest = new ArrayList<>(delays.subList(1, delays.size()));
            List<Long> restErr = new ArrayList<>(errors.subList(1, errors.size()));
            Collections.sort(rest);
            Collections.sort(restErr);
            System.out.printf("next 499 single exchanges: delay median %.1f us, p99 %.1f us, max %.1f us;"
                    + " offset error median %.1f us, max %.1f us%n",
                    rest.get(249) / 1e3, rest.get(494) / 1e3, rest.get(498) / 1e3,
                    restErr.get(249) / 1e3, restErr.get(498) / 1e3);
            long worstBurst = 0;
            for (int i = 0; i < 100; i++) {
                QueryResult r = client.query(server.address(), one.withSamples(4));
                worstBurst = Math.max(worstBurst, Math.abs(r.best().orElseThrow().offset().minus(injected).toNanos()));
            }
            System.out.printf("100 bursts of 4: worst offset error of the filtered sample %.1f us%n", worstBurst / 1e3);
        }
    }
}
