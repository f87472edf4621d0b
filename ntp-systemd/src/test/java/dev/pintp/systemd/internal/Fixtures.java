package dev.pintp.systemd.internal;

import dev.pintp.sysconf.ConfigException;
import dev.pintp.sysconf.IniFile;
import dev.pintp.sysconf.TimesyncdConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Settings and file-tree helpers shared by the tests. */
final class Fixtures {
    private Fixtures() {
    }

    /** Settings from the given ntp-monitor.conf text, timesyncd's configuration under {@code root}, no env. */
    static Settings settings(Path root, String ini) {
        try {
            return Settings.parse(IniFile.parse(root.resolve("etc/ntp-monitor/ntp-monitor.conf"), ini),
                    TimesyncdConfig.load(root), Map.of());
        } catch (ConfigException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every file, symlink and directory under {@code root} with its content (files), target (links) or "dir". */
    static Map<String, String> tree(Path root) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.forEach(p -> {
                try {
                    String key = root.relativize(p).toString();
                    if (Files.isSymbolicLink(p)) {
                        out.put(key, "-> " + Files.readSymbolicLink(p));
                    } else if (Files.isDirectory(p)) {
                        out.put(key, "dir");
                    } else {
                        out.put(key, Files.readString(p) + " mode " + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * What an installer test starts from: a jar to install ({@code build/ntp-systemd.jar}, four bytes that start a
     * zip) and {@code /etc/hosts} under {@code root} holding {@code hosts}.
     *
     * @return the jar
     */
    static Path installable(Path root, Path build, String hosts) throws IOException {
        Path jar = Files.write(build.resolve("ntp-systemd.jar"), new byte[] {'P', 'K', 3, 4});
        write(root, "/etc/hosts", hosts);
        return jar;
    }

    static Path write(Path root, String systemPath, String content) throws IOException {
        Path p = root.resolve(systemPath.substring(1));
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }
}
