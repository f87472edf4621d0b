package dev.pintp.systemd.internal;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ending power saving when a run cannot do its job and not even its configuration can be read, so that neither the
 * controller unit nor the drop-in's name and place are known. Then every drop-in the job could have written is
 * removed: each {@code *.conf} file in a unit drop-in directory ({@code UNIT.d}) under {@code /run/systemd/system}
 * and {@code /etc/systemd/system} whose first line is the job's own header, and the default
 * {@code controller.service.d/ntp-environment.conf} in both places whatever its content; then
 * {@code daemon-reload} and {@code try-restart} of each unit that lost one.
 *
 * <p>Such a file is first renamed to {@code .#NAME.removed} (systemd reads only {@code *.conf}), and that name is
 * deleted only after the restart worked: when systemctl fails, the next failing run finds it and retries the restart,
 * although the job then has no state to remember it by.
 */
public final class FailSafe {
    private static final Logger LOG = LoggerFactory.getLogger("ntp-monitor");
    /** Where drop-ins of units are looked for, as system paths. */
    static final List<Path> UNIT_DIRS = List.of(Path.of("/run/systemd/system"), Path.of("/etc/systemd/system"));
    private static final String DEFAULT_UNIT = "controller.service";
    private static final String DEFAULT_NAME = "ntp-environment.conf";
    private static final String REMOVED = ".removed";
    // Bounds of the scan: the real directories hold a few dozen entries.
    private static final int MAX_ENTRIES = 10_000;
    private static final int HEADER_BYTES = 4096;

    private FailSafe() {
    }

    /** The service result of a main process that ended by itself with 0. */
    private static final String SUCCESS = "success";
    /**
     * Exit statuses of a run that ended by itself and applied the fail-closed rule before it exited
     * ({@link MonitorJob#runOnce}, {@code SystemdMain}, the daemon's check relayed by the client): 1 (a fault, or
     * failed closed) and 2 (configuration error). The client's own failures exit 4.
     */
    private static final Set<String> OWN_FAILURES = Set.of("1", "2");

    /**
     * Whether the fail-safe after a run ({@code ntp-systemd.jar fail-safe}: ntp-monitor-fail-safe.service, which
     * ntp-monitor.service's {@code OnFailure=} starts) must end power saving, from the variables systemd gives it
     * about the failed run: {@code MONITOR_SERVICE_RESULT}, {@code MONITOR_EXIT_CODE}, {@code MONITOR_EXIT_STATUS}
     * (systemd.exec(5), "Environment variables in spawned processes", systemd 251 and later), or, for a fail-safe
     * run as {@code ExecStopPost=} (an earlier install's unit), {@code SERVICE_RESULT}, {@code EXIT_CODE},
     * {@code EXIT_STATUS}. Empty when the run succeeded or ended by itself with one of its own failure statuses (it
     * failed closed itself); otherwise why, for the log line. Any other end is a run that could not clean up: killed
     * by a signal (SIGKILL, the OOM killer: {@code signal}, {@code oom-kill}), {@code timeout}
     * ({@code TimeoutStartSec=}), {@code core-dump}, a client without the daemon's answer (4), a JVM that died or
     * never started (exit statuses other than 1 and 2), and also no result at all (run by hand: asked to end power
     * saving). Values that are not plain words are shown escaped; never throws.
     */
    public static Optional<String> afterRun(Map<String, String> env) {
        String prefix = env.containsKey("MONITOR_SERVICE_RESULT") ? "MONITOR_" : "";
        String result = env.get(prefix + "SERVICE_RESULT");
        String code = env.get(prefix + "EXIT_CODE");
        String status = env.get(prefix + "EXIT_STATUS");
        if (SUCCESS.equals(result)) {
            return Optional.empty();
        }
        if ("exit-code".equals(result) && "exited".equals(code) && status != null && OWN_FAILURES.contains(status)) {
            return Optional.empty();
        }
        if (result == null) {
            return Optional.of("fail-safe run without MONITOR_SERVICE_RESULT (not by ntp-monitor.service's"
                    + " OnFailure=): power saving ends as asked");
        }
        return Optional.of("the run did not finish (systemd: result " + word(result) + ", " + word(code) + " "
                + word(status) + ")");
    }

    // A value from the environment as a word for the log line: plain words as they are, anything else escaped.
    private static String word(String v) {
        if (v == null) {
            return "-";
        }
        String cut = v.length() > 40 ? v.substring(0, 40) + "..." : v;
        return cut.matches("[A-Za-z0-9_.+-]+") ? cut : "'" + Render.printable(cut).replace("'", "\\'") + "'";
    }

    /** The first line of every controller drop-in the job writes (from {@link Render}, the one home of its text). */
    static String header() {
        String text = Render.controllerDropIn(Settings.Variables.DEFAULTS, "localhost", 1);
        return text.substring(0, text.indexOf('\n'));
    }

    /** An I/O failure in words a user can act on, rather than the exception's class name. */
    public static String describe(IOException e) {
        if (e instanceof NoSuchFileException f) {
            return "no such file or directory: " + f.getFile();
        }
        if (e instanceof AccessDeniedException f) {
            return "permission denied: " + f.getFile() + " (install, uninstall and run need root)";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + ": " + f.getFile();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** Any failure in one line: I/O failures as {@link #describe(IOException)}, others with their class. */
    public static String describe(Throwable t) {
        return StateStore.oneLine(t instanceof IOException io ? describe(io) : "unexpected " + t);
    }

    /**
     * Ends power saving without a configuration (class comment) and logs at {@code err}:
     * {@code run failed, no power saving: REASON; ACTION}.
     *
     * @param root the file root
     * @param reason why the run cannot do its job
     * @param status returned as is: the caller's exit status for this failure (non-zero)
     * @return {@code status}
     */
    public static int withoutSettings(Path root, Systemctl systemctl, String reason, int status) {
        String action;
        try {
            action = endPowerSaving(root, systemctl);
        } catch (IOException | RuntimeException e) {
            action = "could not remove the drop-in (" + describe(e) + ")";
        }
        LOG.error("run failed, no power saving: {}; {}", StateStore.oneLine(reason), action);
        return status;
    }

    private static String endPowerSaving(Path root, Systemctl systemctl) throws IOException {
        String header = header();
        Set<Path> candidates = new LinkedHashSet<>();
        List<Path> pending = new ArrayList<>();
        for (Path unitDir : UNIT_DIRS) {
            Path base = Settings.under(root, unitDir);
            candidates.add(base.resolve(DEFAULT_UNIT + ".d").resolve(DEFAULT_NAME));
            if (!Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            int seen = 0;
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, "*.d")) {
                for (Path d : dirs) {
                    if (++seen > MAX_ENTRIES || !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    try (DirectoryStream<Path> confs = Files.newDirectoryStream(d)) {
                        for (Path f : confs) {
                            if (++seen > MAX_ENTRIES) {
                                break;
                            }
                            String n = f.getFileName().toString();
                            if (n.startsWith(".#") && n.endsWith(".conf" + REMOVED) && ours(f, header)) {
                                pending.add(f); // removed by an earlier run whose restart failed
                            } else if (n.endsWith(".conf") && ours(f, header)) {
                                candidates.add(f);
                            }
                        }
                    }
                }
            }
        }
        List<String> removed = new ArrayList<>();
        for (Path f : candidates) {
            if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Path aside = f.resolveSibling(".#" + f.getFileName() + REMOVED);
            Files.move(f, aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            AtomicFiles.syncDirectory(aside.getParent());
            pending.add(aside);
            removed.add("/" + root.relativize(f));
        }
        if (pending.isEmpty()) {
            return "no drop-in was in place";
        }
        Set<String> units = new LinkedHashSet<>();
        for (Path p : pending) {
            String dir = p.getParent().getFileName().toString();
            String unit = dir.substring(0, dir.length() - 2);
            if (unit.matches("[A-Za-z0-9:_.@\\\\-]+\\.[a-z]+")) {
                units.add(unit);
            }
        }
        String what = removed.isEmpty() ? "the drop-in was removed by an earlier run"
                : "removed " + String.join(", ", removed);
        try {
            systemctl.daemonReload();
            for (String u : units) {
                systemctl.tryRestart(u);
            }
        } catch (SystemctlException e) {
            return what + ", but systemctl failed (" + e.getMessage() + "); the next run retries the restart";
        }
        for (Path p : pending) {
            Files.deleteIfExists(p);
        }
        return what + ", restarted " + String.join(", ", units);
    }

    // Our drop-in starts with our header; read a bounded prefix of a regular file, never through a symlink.
    private static boolean ours(Path f, String header) {
        try {
            Optional<String> text = StateStore.readBounded(f, HEADER_BYTES);
            return text.isPresent() && text.get().startsWith(header + "\n");
        } catch (IOException e) {
            return false; // too large, a link, not a file: not something the job wrote
        }
    }
}
