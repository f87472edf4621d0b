package dev.pintp.deb;

import dev.pintp.probe.ProbeDocs;
import dev.pintp.sysconf.ConfigException;
import dev.pintp.systemd.internal.Installer;
import dev.pintp.systemd.internal.Settings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * {@code StagingTree OUT VERSION SRC}: writes the Debian package's files (all but the jars and the conffile, which the
 * build copies) under {@code OUT}, as they will lie under {@code /}:
 * <ul>
 * <li>the units and the tmpfiles.d snippet, rendered by {@link Installer#packagedUnits} for the default
 *     configuration, so the package's units are what {@code ntp-monitor install} compares with and never drift from
 *     what the installer renders;</li>
 * <li>{@code /usr/bin/ntp-monitor} and {@code /usr/bin/ntp-probe}, which start the jars through ntp-systemd's
 *     launcher {@code pintp-java} ({@link #launcher});</li>
 * <li>man pages and the changelog gzipped as Debian wants them (best compression, no time stamp), the copyright file
 *     and bash completions: the probe's rendered from its option table ({@code ProbeDocs}), the job's from
 *     {@code SRC}.</li>
 * </ul>
 * The output depends only on the inputs: two builds of the same sources give the same files.
 */
public final class StagingTree {
    private StagingTree() {
    }

    /** Entry point; see the class comment. Throws on any failure, which fails the build. */
    public static void main(String[] args) throws IOException, ConfigException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: StagingTree OUT VERSION SRC");
        }
        write(Path.of(args[0]), debianVersion(args[1]), Path.of(args[2]));
    }

    /**
     * The Debian version of a Maven version, as jdeb writes it into the control file: {@code -SNAPSHOT} becomes
     * {@code ~SNAPSHOT} (sorts before the release), any other {@code -} a {@code +} would be a Debian revision.
     */
    static String debianVersion(String maven) {
        return maven.replace("-SNAPSHOT", "~SNAPSHOT").replace('-', '+');
    }

    static void write(Path out, String version, Path src) throws IOException, ConfigException {
        deleteTree(out); // a file of an earlier build must not end up in the package
        Path emptyRoot = Files.createTempDirectory("pintp-defaults");
        Settings defaults;
        try {
            defaults = Settings.load(emptyRoot, Map.of());
        } finally {
            Files.delete(emptyRoot);
        }
        for (Map.Entry<Path, String> u : Installer.packagedUnits(defaults).entrySet()) {
            text(out, u.getKey().toString(), u.getValue());
        }
        text(out, "/usr/bin/" + Installer.PACKAGED_COMMAND, launcher("the pintp job and its site installer",
                "job", Installer.PACKAGED_JAR));
        text(out, "/usr/bin/ntp-probe", probeLauncher(Installer.PACKAGED_PROBE_JAR, PINTP_JAVA, PROBE_CACHE));
        // the probe's man page and completion come from its option table (ntp-probe's ProbeDocs)
        Path probeDocs = Files.createTempDirectory("pintp-probe-docs");
        String probeMan;
        String probeCompletion;
        try {
            ProbeDocs.main(new String[] {probeDocs.toString()});
            probeMan = Files.readString(probeDocs.resolve("ntp-probe.1"));
            probeCompletion = Files.readString(probeDocs.resolve("ntp-probe.bash"));
        } finally {
            try (var files = Files.list(probeDocs)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.delete(f);
                }
            }
            Files.delete(probeDocs);
        }
        gzip(out, "/usr/share/man/man1/ntp-probe.1.gz", probeMan);
        text(out, "/usr/share/bash-completion/completions/ntp-probe", probeCompletion);
        gzip(out, MONITOR_MAN, Files.readString(src.resolve("man/ntp-monitor.1")));
        text(out, "/usr/share/bash-completion/completions/ntp-monitor",
                Files.readString(src.resolve("completions/ntp-monitor")));
        String changelog = Files.readString(src.resolve("doc/changelog")).replace("@VERSION@", version);
        gzip(out, "/usr/share/doc/pintp/changelog.gz", changelog);
        text(out, "/usr/share/doc/pintp/copyright", Files.readString(src.resolve("doc/copyright")));
        text(out, "/usr/share/lintian/overrides/pintp", Files.readString(src.resolve("lintian-overrides")));
    }

    /** The job's man page in the package, the page the units' {@code Documentation=man:ntp-monitor(1)} names. */
    static final String MONITOR_MAN = "/usr/share/man/man1/ntp-monitor.1.gz";

    /** Where the package puts ntp-systemd's launcher {@code pintp-java} (the build copies it there). */
    static final String PINTP_JAVA = "/usr/lib/pintp/pintp-java";

    /**
     * A POSIX sh command that runs {@code jar} through pintp-java (the one home of the JVM options and the
     * class-data archive, docs/cost.md) as {@code kind}; every argument passed on as it is. Root's archive goes to
     * /var/cache/pintp: pintp-java would otherwise write it beside the jar, into the package's own directory.
     */
    static String launcher(String what, String kind, Path jar) {
        return "#!/bin/sh\n"
                + "# " + what + " (pintp package), started by pintp-java: JVM options and class-data archive\n"
                + "if [ -z \"${PINTP_CACHE_DIR:-}\" ] && [ \"$(id -u)\" = 0 ]; then\n"
                + "    PINTP_CACHE_DIR=/var/cache/pintp\n"
                + "    export PINTP_CACHE_DIR\n"
                + "fi\n"
                + "JAVA=${JAVA:-/usr/bin/java}\n"
                + "export JAVA\n"
                + "exec " + PINTP_JAVA + " " + kind + " " + jar + " \"$@\"\n";
    }

    /** Where root's class-data archive of the probe goes (pintp-java would otherwise write it beside the jar). */
    static final String PROBE_CACHE = "/var/cache/pintp";

    /**
     * {@code /usr/bin/ntp-probe}: as {@link #launcher}, but pintp-java is read into the command's own shell (it
     * ends by exec'ing java) instead of exec'd as a second one, and the cache test is {@code [ -w ]} on the jar's
     * directory (exactly when pintp-java would write the archive beside the jar) instead of a {@code $(id -u)}
     * process: two processes less before the probe's JVM, about 6 ms of CPU (docs/cost.md).
     */
    static String probeLauncher(Path jar, String pintpJava, String cache) {
        return "#!/bin/sh\n"
                + "# the pintp SNTP probe (pintp package), started by pintp-java: JVM options and class-data archive\n"
                + "# pintp-java is read into this shell, not started as another one: every process before the JVM counts\n"
                + "if [ -z \"${PINTP_CACHE_DIR:-}\" ] && [ -w " + jar.getParent() + " ]; then\n"
                + "    PINTP_CACHE_DIR=" + cache + "\n"
                + "    export PINTP_CACHE_DIR\n"
                + "fi\n"
                + "JAVA=${JAVA:-/usr/bin/java}\n"
                + "export JAVA\n"
                + "set -- probe " + jar + " \"$@\"\n"
                + ". " + pintpJava + "\n";
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private static void text(Path out, String absolute, String content) throws IOException {
        bytes(out, absolute, content.getBytes(StandardCharsets.UTF_8));
    }

    private static void bytes(Path out, String absolute, byte[] content) throws IOException {
        Path p = out.resolve(absolute.substring(1));
        Files.createDirectories(p.getParent());
        Files.write(p, content);
    }

    private static void gzip(Path out, String absolute, String content) throws IOException {
        bytes(out, absolute, gzip(content.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * RFC 1952 gzip of {@code data} as {@code gzip -9n} writes it: no name, modification time 0, "maximum
     * compression" in the extra flags (lintian checks both), OS Unix. GZIPOutputStream writes neither flag.
     */
    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        buf.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, 3});
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try (DeflaterOutputStream d = new DeflaterOutputStream(new NonClosing(buf), deflater)) {
            d.write(data);
        } finally {
            deflater.end();
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        ByteBuffer trailer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        trailer.putInt((int) crc.getValue()).putInt(data.length);
        buf.write(trailer.array());
        return buf.toByteArray();
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
