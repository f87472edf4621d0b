package dev.pintp.ntp;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The environment that the ntp-monitor systemd job gives {@code controller.service} through its drop-in, read back
 * as types: the Java counterpart of checking {@code CONSERVE_POWER}, {@code NTP_SYNCED}, {@code NTP_SERVER} and
 * {@code NTP_SYNC_LEVEL} in the controller.
 *
 * @param conservePower {@code CONSERVE_POWER=1}
 * @param ntpSynced {@code NTP_SYNCED=true}
 * @param ntpServer {@code NTP_SERVER}, the server in use, if set and not blank
 * @param level {@code NTP_SYNC_LEVEL} as a quality; {@link SyncQuality#NONE} when absent or invalid
 */
public record SyncEnvironment(boolean conservePower, boolean ntpSynced, Optional<String> ntpServer, SyncQuality level) {
    /** Variable set to {@code 1} when the controller may save power. */
    public static final String CONSERVE_POWER = "CONSERVE_POWER";
    /** Variable set to {@code true} when the time is verified. */
    public static final String NTP_SYNCED = "NTP_SYNCED";
    /** Variable naming the server the time is verified against. */
    public static final String NTP_SERVER = "NTP_SERVER";
    /** Variable with the graduated level, 1 to 3. */
    public static final String NTP_SYNC_LEVEL = "NTP_SYNC_LEVEL";

    /** @throws NullPointerException for a null server or level */
    public SyncEnvironment {
        Objects.requireNonNull(ntpServer, "ntpServer");
        Objects.requireNonNull(level, "level");
    }

    /** Reads the process environment. */
    public static SyncEnvironment fromSystem() {
        return from(System.getenv());
    }

    /**
     * Reads the given environment with the default variable names. Values are compared exactly, as the original
     * design's controller did ({@code CONSERVE_POWER == "1"}, {@code NTP_SYNCED == "true"}); anything else is off.
     */
    public static SyncEnvironment from(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        boolean conserve = "1".equals(env.get(CONSERVE_POWER));
        boolean synced = "true".equals(env.get(NTP_SYNCED));
        Optional<String> server = Optional.ofNullable(env.get(NTP_SERVER)).map(String::strip).filter(s -> !s.isEmpty());
        SyncQuality level = SyncQuality.NONE;
        String raw = env.get(NTP_SYNC_LEVEL);
        if (raw != null && raw.strip().matches("[1-3]")) {
            level = SyncQuality.ofLevel(Integer.parseInt(raw.strip()));
        }
        return new SyncEnvironment(conserve, synced, server, level);
    }

    /** True when the controller may save power: both {@code CONSERVE_POWER=1} and {@code NTP_SYNCED=true}. */
    public boolean maySavePower() {
        return conservePower && ntpSynced;
    }
}
