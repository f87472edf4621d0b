package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpChecker;
import dev.pintp.ntp.testkit.SntpTestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/security.md's table of the files the job and the installer write, checked row by row against a real install
 * and a real run (loopback primary) in a temporary root: every file of a row exists with the owner and mode the row
 * states. A row added to the table without being written, or a mode changed in the code, fails here.
 */
class FileTableTest {
    private static final Path DOC = Path.of(System.getProperty("user.dir")).resolve("../docs/security.md").normalize();
    /** A row: | `PATH`[, `NAME`...] [...] | written by | owner | mode | directory |. */
    private static final Pattern ROW = Pattern.compile("^\\| (`[^|]+?) \\| ([^|]+) \\| (\\w+) \\| ([^|]+) \\|.*$");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    @TempDir
    Path root;
    @TempDir
    Path build;

    record Row(List<String> paths, String owner, String mode) {
    }

    static List<Row> rows() throws Exception {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(DOC)) {
            Matcher m = ROW.matcher(line);
            if (!m.matches() || !m.group(1).startsWith("`/") && !m.group(1).startsWith("`TextfilePath=")) {
                continue;
            }
            String cell = m.group(1).replaceAll("\\(.*?\\)", ""); // drop "(DropInLocation=etc)", "(symlink)"
            List<String> paths = new ArrayList<>();
            Matcher c = CODE.matcher(cell);
            String dir = null;
            while (c.find()) {
                String p = c.group(1);
                if (p.startsWith("/")) {
                    paths.add(p);
                    dir = p.substring(0, p.lastIndexOf('/') + 1);
                } else if (p.equals("TextfilePath=")) {
                    paths.add("/var/lib/prometheus/node-exporter/ntp-monitor.prom");
                } else if (dir != null) {
                    paths.add(dir + p); // `sync-state`, `backoff-state`: names in the first path's directory
                }
            }
            rows.add(new Row(paths, m.group(3), m.group(4).trim()));
        }
        return rows;
    }

    @Test
    void everyFileInTheSecurityTableHasItsDocumentedOwnerAndMode() throws Exception {
        List<Row> rows = rows();
        assertTrue(rows.size() >= 15, "the table was not found or not parsed: " + rows);

        Path jar = build.resolve("ntp-systemd.jar");
        Files.write(jar, new byte[] {'P', 'K', 3, 4});
        Fixtures.write(root, "/etc/hosts", "127.0.0.1 localhost\n");
        Files.createDirectories(root.resolve("etc/systemd/system"));
        try (SntpTestServer pi = SntpTestServer.start()) {
            pi.localClock(1);
            String conf = "[Servers]\nPrimary=127.0.0.1:" + pi.port() + "\nFallback=\nTimeout=300ms\n"
                    + "[Metrics]\nTextfilePath=/var/lib/prometheus/node-exporter/ntp-monitor.prom\n";
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            RecordingSystemctl systemctl = new RecordingSystemctl();
            Installer installer = new Installer(root, systemctl, new AtomicFiles(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), false);
            assertEquals(0, installer.install(Fixtures.settings(root, conf),
                    new Installer.Options(Optional.of("B8:27:EB:12:34:56"), jar, "/usr/bin/java",
                            false, false)), out.toString(StandardCharsets.UTF_8));
            // a run with each drop-in location, and one after the primary stops answering (the steering drop-in)
            for (String location : List.of("etc", "run")) {
                Settings s = Fixtures.settings(root, conf.replace("[Metrics]",
                        "[Controller]\nDropInLocation=" + location + "\n[Metrics]"));
                MonitorJob job = new MonitorJob(s, root, systemctl, new AtomicFiles(), Clock.systemUTC(),
                        b -> NtpChecker.custom(s.ntp()).backoffState(b).build(), AlertSink.NONE, t -> { },
                        Duration.ofSeconds(5));
                assertEquals(0, job.runOnce());
                if (location.equals("etc")) {
                    // keep the /etc drop-in for the check below while the next run writes the /run one
                    Path etc = root.resolve("etc/systemd/system/controller.service.d/ntp-environment.conf");
                    Files.copy(etc, build.resolve("etc-drop-in"));
                    Files.createDirectories(build.resolve("keep"));
                    Files.move(etc, build.resolve("keep/ntp-environment.conf"));
                }
            }
            Path etc = root.resolve("etc/systemd/system/controller.service.d/ntp-environment.conf");
            Files.move(build.resolve("keep/ntp-environment.conf"), etc);
        }

        List<String> checked = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Row row : rows) {
            for (String p : row.paths()) {
                Path f = root.resolve(p.substring(1));
                if (p.endsWith("90-ntp-monitor-steering.conf") || p.equals("/etc/hosts")) {
                    // written only while the primary is lost / edited in place: checked by their own tests
                    continue;
                }
                if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                    missing.add(p);
                    continue;
                }
                PosixFileAttributes a = Files.readAttributes(f, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                // "root" in the table is the job's user: the test's own when it does not run as root
                String owner = row.owner().equals("root") ? System.getProperty("user.name") : row.owner();
                assertEquals(owner, a.owner().getName(), p);
                if (row.mode().equals("link")) {
                    assertTrue(a.isSymbolicLink(), p + " should be a symlink");
                } else {
                    assertTrue(a.isRegularFile(), p + " should be a regular file");
                    assertEquals(row.mode(), octal(a.permissions()), p);
                }
                checked.add(p);
            }
        }
        assertEquals(List.of(), missing, "rows of the table that install and run did not write; checked " + checked);
    }

    private static String octal(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission p : perms) {
            mode |= 1 << (8 - p.ordinal());
        }
        return String.format("%04o", mode);
    }
}
