package dev.pintp.systemd.internal;

import dev.pintp.ntp.BackoffState;
import dev.pintp.ntp.DriftHistory;
import dev.pintp.ntp.SyncState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The job's files. Persistent, in the state directory, each rewritten only when its bytes change (a steady system
 * writes nothing there, which spares SD cards): {@code sync-state}, {@code backoff-state}, {@code applied}. Volatile,
 * in the runtime directory (tmpfs, gone at reboot): {@code drift-history} (an hour of offsets), {@code last-check}
 * (what {@code status} shows), {@code boot} (marks that this boot's first run has happened) and {@code lock}.
 */
public final class StateStore {
    private final Path stateDir;
    private final Path runtimeDir;
    private final AtomicFiles files;

    /** A store in the given directories (already resolved under the file root). */
    public StateStore(Path stateDir, Path runtimeDir, AtomicFiles files) {
        this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
        this.runtimeDir = Objects.requireNonNull(runtimeDir, "runtimeDir");
        this.files = Objects.requireNonNull(files, "files");
    }

    /** The persistent state; {@link JobState#initial()} when the job never ran here. */
    public JobState load() throws IOException {
        JobState s = JobState.initial();
        Optional<String> sync = AtomicFiles.read(stateDir.resolve("sync-state"));
        Optional<String> backoff = AtomicFiles.read(stateDir.resolve("backoff-state"));
        Optional<String> applied = AtomicFiles.read(stateDir.resolve("applied"));
        try {
            if (sync.isPresent()) {
                s = s.withSync(SyncState.decode(sync.get()));
            }
            if (backoff.isPresent()) {
                s = s.withBackoff(BackoffState.decode(backoff.get()));
            }
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt state in " + stateDir + ": " + e.getMessage(), e);
        }
        if (applied.isPresent()) {
            for (String line : applied.get().split("\n")) {
                int eq = line.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String v = line.substring(eq + 1).strip();
                switch (line.substring(0, eq).strip()) {
                    case "dropin" -> s = s.withAppliedDropIn(v);
                    case "steering" -> s = s.withAppliedSteering(v);
                    case "timesyncd-absent" -> s = s.withTimesyncdAbsent(Boolean.parseBoolean(v));
                    default -> { }
                }
            }
        }
        return s;
    }

    /** Saves the persistent state, writing only the files whose content changed. */
    public void save(JobState s) throws IOException {
        files.writeIfChanged(stateDir.resolve("sync-state"), s.sync().encode());
        files.writeIfChanged(stateDir.resolve("backoff-state"), s.backoff().encode());
        files.writeIfChanged(stateDir.resolve("applied"), "dropin=" + s.appliedDropIn() + "\nsteering="
                + s.appliedSteering() + "\ntimesyncd-absent=" + s.timesyncdAbsent() + "\n");
    }

    /** True until {@link #markBoot()} has run in this boot (the runtime directory is on a tmpfs). */
    public boolean isNewBoot() {
        return !Files.exists(runtimeDir.resolve("boot"));
    }

    /** Marks that this boot's first run has established its baseline. */
    public void markBoot() throws IOException {
        files.writeIfChanged(runtimeDir.resolve("boot"), "");
    }

    /** The drift history of this boot. */
    public DriftHistory loadDrift() throws IOException {
        Optional<String> text = AtomicFiles.read(runtimeDir.resolve("drift-history"));
        try {
            return text.isPresent() ? DriftHistory.decode(text.get()) : DriftHistory.empty();
        } catch (IllegalArgumentException e) {
            return DriftHistory.empty(); // volatile data: start over rather than fail the run
        }
    }

    /** Saves the drift history. */
    public void saveDrift(DriftHistory h) throws IOException {
        files.writeIfChanged(runtimeDir.resolve("drift-history"), h.encode());
    }

    /** Saves the last check's summary for {@code status}. */
    public void saveLastCheck(String text) throws IOException {
        files.writeIfChanged(runtimeDir.resolve("last-check"), text);
    }

    /** The last check's summary, if a run happened in this boot. */
    public Optional<String> loadLastCheck() throws IOException {
        return AtomicFiles.read(runtimeDir.resolve("last-check"));
    }

    /** The lock file. */
    public Path lockFile() {
        return runtimeDir.resolve("lock");
    }

    /** The state directory. */
    public Path stateDir() {
        return stateDir;
    }

    /** The runtime directory. */
    public Path runtimeDir() {
        return runtimeDir;
    }
}
