package dev.pintp.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pintp.ntp.testkit.Ci;
import dev.pintp.systemd.internal.AtomicFiles;
import dev.pintp.systemd.internal.Installer;
import dev.pintp.systemd.internal.ProcessSystemctl;
import dev.pintp.systemd.internal.Render;
import dev.pintp.systemd.internal.Settings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built {@code pintp_VERSION_all.deb}, read with dpkg-deb and checked by lintian. */
class PackageIT {
    static final Path DIR = Path.of(System.getProperty("deb.dir", "target"));
    static Path deb;
    /** The control archive: control, conffiles, the maintainer scripts. */
    static Path meta;

    @TempDir
    static Path unpacked;

    @BeforeAll
    static void unpack() throws Exception {
        try (var s = Files.list(DIR)) {
            List<Path> debs = s.filter(p -> p.getFileName().toString().matches("pintp_.*_all\\.deb")).toList();
            assertEquals(1, debs.size(), "one package in " + DIR + ": " + debs);
            deb = debs.get(0);
        }
        assumeTool("dpkg-deb");
        run("dpkg-deb", "-x", deb.toString(), unpacked.toString());
        meta = unpacked.resolveSibling(unpacked.getFileName() + "-control");
        run("dpkg-deb", "-e", deb.toString(), meta.toString());
    }

    /** Skips the test, loudly, without {@code tool}; under CI ({@link Ci}), where it is installed, fails instead. */
    static void assumeTool(String tool) throws Exception {
        if (run("sh", "-c", "command -v " + tool).exit != 0) {
            String why = "no " + tool + " (scripts/install-test-deps installs it)";
            System.err.println("#### PACKAGE TEST SKIPPED: " + why);
            if (Ci.active()) {
                fail(why + ", and under CI the package tests must run");
            }
            Assumptions.abort(why);
        }
    }

    record Result(int exit, String out) {
    }

    static Result run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), String.join(" ", cmd));
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void lintianReportsNoErrorAndNoWarning() throws Exception {
        assumeTool("lintian");
        Result r = run("lintian", "--pedantic", "--fail-on", "error,warning", deb.toString());
        System.err.println("lintian --pedantic " + deb.getFileName() + ":\n" + r.out);
        assertEquals(0, r.exit, r.out);
        assertFalse(r.out.lines().anyMatch(l -> l.startsWith("E:") || l.startsWith("W:")), r.out);
    }

    @Test
    void thePackagedUnitsAreWhatTheInstallerRendersForTheDefaults() throws Exception {
        Path empty = Files.createDirectories(unpacked.resolveSibling(unpacked.getFileName() + "-empty"));
        Map<Path, String> units = Installer.packagedUnits(Settings.load(empty, Map.of()));
        assertEquals(6, units.size(), units.keySet().toString()); // with ntp-monitor-fail-safe.service
        for (Map.Entry<Path, String> u : units.entrySet()) {
            assertEquals(u.getValue(), Files.readString(Settings.under(unpacked, u.getKey())), u.getKey().toString());
        }
    }

    @Test
    void theSiteCommandOnThePackagesFilesWritesNoUnitForTheDefaultsAndAnOverrideForAnotherInterval() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Installer installer = new Installer(unpacked, new ProcessSystemctl("/bin/false", Duration.ofSeconds(5)),
                new AtomicFiles(), new PrintStream(out, true, StandardCharsets.UTF_8), false);
        Installer.Options o = new Installer.Options(Optional.empty(), Installer.PACKAGED_JAR,
                "/usr/bin/java", false, false, Installer.Layout.PACKAGED);
        // the shipped ntp-monitor.conf sets nothing: the defaults
        assertEquals(0, installer.install(Settings.load(unpacked, Map.of()), o), out.toString(StandardCharsets.UTF_8));
        assertFalse(Files.exists(unpacked.resolve("etc/systemd/system/ntp-monitor.timer")));
        assertFalse(Files.exists(unpacked.resolve("etc/systemd/system/ntp-monitor.service")));
        assertTrue(Files.exists(unpacked.resolve("etc/systemd/timesyncd.conf.d/60-ntp-monitor.conf")));
        Path conf = unpacked.resolve("etc/ntp-monitor/ntp-monitor.conf");
        String shipped = Files.readString(conf);
        try {
            Files.writeString(conf, shipped + "[Decision]\nInterval=30s\n");
            assertEquals(0, installer.install(Settings.load(unpacked, Map.of()), o));
            assertTrue(Files.readString(unpacked.resolve("etc/systemd/system/ntp-monitor.timer")).contains("OnUnitActiveSec=30s\n"));
        } finally {
            Files.writeString(conf, shipped);
            assertEquals(0, installer.uninstall(Settings.load(unpacked, Map.of()), false, Installer.Layout.PACKAGED));
        }
        assertFalse(Files.exists(unpacked.resolve("etc/systemd/system/ntp-monitor.timer")));
    }

    @Test
    void controlFieldsConffileAndMaintainerScripts() throws Exception {
        String control = run("dpkg-deb", "-f", deb.toString()).out;
        assertTrue(control.contains("\nDepends: default-jre-headless (>= 2:1.17) | java17-runtime-headless\n"), control);
        assertTrue(control.contains("\nArchitecture: all\n"), control);
        assertEquals("/etc/ntp-monitor/ntp-monitor.conf\n", Files.readString(meta.resolve("conffiles")));
        for (String script : new String[] {"postinst", "prerm", "postrm"}) {
            String text = Files.readString(meta.resolve(script));
            assertTrue(text.startsWith("#!/bin/sh\n") && text.contains("\nset -e\n"), script);
            assertEquals(0, run("sh", "-n", meta.resolve(script).toString()).exit, script + " does not parse");
        }
        String launcher = Files.readString(unpacked.resolve("usr/bin/ntp-monitor"));
        assertTrue(launcher.contains("exec /usr/lib/pintp/pintp-java job /usr/share/pintp/ntp-systemd.jar \"$@\"\n"),
                launcher);
        assertTrue(Files.isExecutable(unpacked.resolve("usr/lib/pintp/pintp-java")));
        // what the command runs, as root: the job's JVM options, the archive under /var/cache/pintp
        Result dry = run("env", "PINTP_JAVA_DRY=1", "PINTP_JAVA=", "PATH=" + unpacked.resolve("usr/lib/pintp") + ":/usr/bin:/bin",
                "sh", "-c", "sed 's#/usr/lib/pintp/pintp-java#" + unpacked.resolve("usr/lib/pintp/pintp-java")
                        + "#' " + unpacked.resolve("usr/bin/ntp-monitor") + " | sh -s status");
        assertEquals(0, dry.exit, dry.out);
        assertTrue(dry.out.contains(" -Xmx48m ") && dry.out.contains(" -jar /usr/share/pintp/ntp-systemd.jar status"), dry.out);
        for (String f : new String[] {"usr/share/pintp/ntp-systemd.jar", "usr/share/pintp/ntp-probe.jar",
                "usr/share/pintp/ntp-probe-bc.jar",
                "usr/share/man/man1/ntp-monitor.1.gz", "usr/share/man/man1/ntp-probe.1.gz",
                "usr/share/bash-completion/completions/ntp-monitor", "usr/share/bash-completion/completions/ntp-probe",
                "usr/share/doc/pintp/copyright", "usr/share/doc/pintp/changelog.gz"}) {
            assertTrue(Files.isRegularFile(unpacked.resolve(f)), f);
        }
    }

    /**
     * debhelper's postrm-systemd for the units the postinst enables or keeps the state of: {@code remove} masks them,
     * {@code purge} purges their state and then unmasks them, nothing else touches them. Remove and the other actions
     * are run with a recording deb-systemd-helper and systemctl; purge, which deletes system paths, is read.
     */
    @Test
    void thePostrmMasksOnRemoveAndPurgesThenUnmasksOnPurgeTheUnitsThePostinstEnables() throws Exception {
        String postinst = Files.readString(meta.resolve("postinst"));
        List<String> units = Pattern.compile("\n\s*deb-systemd-helper update-state '([^']+)'").matcher(postinst)
                .results().map(m -> m.group(1)).toList();
        assertEquals(List.of("ntp-monitor.timer", "ntp-monitor-wait.service"), units, postinst);
        String quoted = units.stream().map(u -> "'" + u + "'").collect(Collectors.joining(" "));

        String postrm = Files.readString(meta.resolve("postrm"));
        List<String> helper = Pattern.compile("\n\s*(deb-systemd-helper [^\n]*)").matcher(postrm).results()
                .map(m -> m.group(1)).toList();
        assertEquals(List.of("deb-systemd-helper mask " + quoted + " >/dev/null || true",
                "deb-systemd-helper purge " + quoted + " >/dev/null || true",
                "deb-systemd-helper unmask " + quoted + " >/dev/null || true"), helper, postrm);
        String purge = postrm.substring(postrm.indexOf("\nif [ \"$1\" = purge ]; then\n"));
        assertTrue(purge.indexOf(helper.get(1)) > 0 && purge.indexOf(helper.get(2)) > purge.indexOf(helper.get(1)),
                "purge, then unmask, in the purge branch\n" + postrm);

        Path bin = Files.createDirectories(meta.resolveSibling(meta.getFileName() + "-stubs"));
        Path calls = bin.resolve("calls");
        for (String tool : new String[] {"deb-systemd-helper", "systemctl"}) {
            Path stub = Files.writeString(bin.resolve(tool), "#!/bin/sh\necho \"" + tool + " $*\" >>" + calls + "\n");
            stub.toFile().setExecutable(true);
        }
        String guard = "[ -x \"/usr/bin/deb-systemd-helper\" ]";
        assertEquals(2, postrm.split(Pattern.quote(guard), -1).length - 1, "the guard of mask and of purge\n" + postrm);
        Path script = Files.writeString(bin.resolve("postrm"), postrm.replace(guard,
                "[ -x \"" + bin.resolve("deb-systemd-helper") + "\" ]"));
        for (String action : new String[] {"remove", "upgrade", "failed-upgrade", "abort-install", "abort-upgrade",
                "disappear"}) {
            Files.deleteIfExists(calls);
            Result r = run("env", "PATH=" + bin + ":/usr/bin:/bin", "sh", script.toString(), action, "0.1");
            assertEquals(0, r.exit, action + ": " + r.out);
            List<String> made = Files.exists(calls) ? Files.readAllLines(calls).stream()
                    .filter(l -> l.startsWith("deb-systemd-helper ")).toList() : List.of();
            assertEquals(action.equals("remove") ? List.of("deb-systemd-helper mask " + String.join(" ", units))
                    : List.of(), made, action);
        }
    }

    @Test
    void theAlertingRulesAreShippedAsInTheSourceTree() throws IOException {
        Path shipped = unpacked.resolve("usr/share/pintp/prometheus/pintp-alerts.yml");
        assertEquals(Files.readString(Path.of("../ntp-systemd/src/main/dist/prometheus/pintp-alerts.yml")),
                Files.readString(shipped));
    }

    @Test
    void gzipIsWhatGzip9nWrites() throws IOException {
        byte[] z = StagingTree.gzip("hello\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(2, z[8], "XFL: maximum compression");
        assertEquals(0, z[4] | z[5] | z[6] | z[7], "no time stamp");
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(z))) {
            assertEquals("hello\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
