package dev.pintp.examples;

import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.QueryOptions;
import dev.pintp.ntp.QueryResult;
import dev.pintp.ntp.SntpClient;
import dev.pintp.ntp.SyncEnvironment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A controller started by systemd with the ntp-monitor job's drop-in: it reads {@code CONSERVE_POWER},
 * {@code NTP_SYNCED}, {@code NTP_SERVER} and {@code NTP_SYNC_LEVEL} through {@link SyncEnvironment}, and, before it
 * trusts them, asks the named server once (the job restarts the controller when the state changes, but the
 * environment is as old as the process).
 *
 * <p>Run: {@code java -cp examples.jar dev.pintp.examples.EnvironmentController}; prints the decision and exits 0.
 */
public final class EnvironmentController {
    private EnvironmentController() {
    }

    /**
     * What the controller decides.
     *
     * @param savePower whether to save power
     * @param level the level to save at, 0 when not saving
     * @param reason why, for the log
     */
    public record Decision(boolean savePower, int level, String reason) {
    }

    /**
     * Decides from {@code env}, verifying its server with one SNTP query through {@code client} when it says to
     * save power. The offset limit is {@link NtpConfig#maxOffset()} of the defaults. Never throws for any
     * environment: a malformed {@code NTP_SERVER} means full power; a missing or invalid {@code NTP_SYNC_LEVEL} with
     * power saving allowed means level 1.
     */
    public static Decision decide(Map<String, String> env, SntpClient client) {
        Objects.requireNonNull(client, "client");
        SyncEnvironment sync = SyncEnvironment.from(env);
        if (!sync.maySavePower()) {
            return new Decision(false, 0, "environment does not allow power saving");
        }
        // The job always sets NTP_SYNC_LEVEL; without it (an older job), save at the most cautious level.
        int level = Math.max(1, sync.level().level());
        if (sync.ntpServer().isEmpty()) {
            return new Decision(true, level, "environment allows power saving (no server to verify)");
        }
        NtpServer server;
        try {
            server = NtpServer.parse(sync.ntpServer().get(), NtpServer.DEFAULT_PORT, NtpServer.Role.PRIMARY);
        } catch (IllegalArgumentException e) {
            return new Decision(false, 0, "NTP_SERVER is not a server: " + e.getMessage());
        }
        QueryResult r = client.query(new InetSocketAddress(server.host(), server.port()),
                new QueryOptions(1, Duration.ofSeconds(1), Duration.ofSeconds(5)));
        Duration maxOffset = NtpConfig.ofDefaults().maxOffset();
        if (r.outcome() != Outcome.OK) {
            return new Decision(false, 0, server + " did not confirm: " + r.outcome() + " " + r.detail());
        }
        Duration offset = r.best().orElseThrow().offset();
        if (offset.abs().compareTo(maxOffset) > 0) {
            return new Decision(false, 0, server + " says the clock is off by " + offset);
        }
        return new Decision(true, level, server + " confirms, offset " + offset);
    }

    /** Reads the process environment, prints the decision. */
    public static void main(String[] args) {
        Decision d = decide(System.getenv(), SntpClient.ofDefaults());
        System.out.println((d.savePower() ? "power saving level " + d.level() : "full power") + ": " + d.reason());
    }
}
