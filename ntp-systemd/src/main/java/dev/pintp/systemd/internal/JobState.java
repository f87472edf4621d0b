package dev.pintp.systemd.internal;

import dev.pintp.ntp.BackoffState;
import dev.pintp.ntp.SyncState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * What the job carries between runs in its state directory. Immutable.
 *
 * @param sync the hysteresis
 * @param backoff Kiss-o'-Death and circuit-breaker backoff of the public servers
 * @param appliedDropIn digest ({@link #digest}) of the controller drop-in that the service manager was last
 *     successfully reloaded and the controller restarted with
 * @param appliedSteering digest of the timesyncd steering drop-in timesyncd was last successfully restarted with
 * @param timesyncdAbsent true once the job found systemd-timesyncd not installed (and said so); reset at boot
 */
public record JobState(SyncState sync, BackoffState backoff, String appliedDropIn, String appliedSteering,
        boolean timesyncdAbsent) {
    /** Digest standing for "no file". */
    public static final String ABSENT = "-";

    public JobState {
        Objects.requireNonNull(sync, "sync");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(appliedDropIn, "appliedDropIn");
        Objects.requireNonNull(appliedSteering, "appliedSteering");
    }

    /** The state of a system the job has never run on: unsynchronized, nothing applied. */
    public static JobState initial() {
        return new JobState(SyncState.initial(), BackoffState.empty(), ABSENT, ABSENT, false);
    }

    /** SHA-256 of {@code content} in hex, or {@link #ABSENT} for no file. */
    public static String digest(Optional<String> content) {
        if (content.isEmpty()) {
            return ABSENT;
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(content.get().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** This state with another sync state. */
    public JobState withSync(SyncState s) {
        return new JobState(s, backoff, appliedDropIn, appliedSteering, timesyncdAbsent);
    }

    /** This state with another backoff. */
    public JobState withBackoff(BackoffState b) {
        return new JobState(sync, b, appliedDropIn, appliedSteering, timesyncdAbsent);
    }

    /** This state with another applied drop-in digest. */
    public JobState withAppliedDropIn(String d) {
        return new JobState(sync, backoff, d, appliedSteering, timesyncdAbsent);
    }

    /** This state with another applied steering digest. */
    public JobState withAppliedSteering(String d) {
        return new JobState(sync, backoff, appliedDropIn, d, timesyncdAbsent);
    }

    /** This state with the timesyncd-absent flag set or cleared. */
    public JobState withTimesyncdAbsent(boolean absent) {
        return new JobState(sync, backoff, appliedDropIn, appliedSteering, absent);
    }
}
