package dev.pintp.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code /usr/bin/ntp-probe}, rendered for a tree under a temporary directory and run with
 * {@code PINTP_JAVA_DRY=1} (pintp-java prints the java command line instead of running it).
 */
class ProbeLauncherTest {
    @TempDir
    Path dir;

    private String dryRun(String cacheDirEnv, String... args) throws Exception {
        Path share = Files.createDirectories(dir.resolve("share"));
        Path jar = Files.writeString(share.resolve("ntp-probe.jar"), "not a jar: the dry run only looks at it");
        Path pintpJava = dir.resolve("pintp-java");
        Files.copy(Path.of("../ntp-systemd/src/main/dist/pintp-java"), pintpJava);
        Path cache = dir.resolve("cache");
        Path wrapper = Files.writeString(dir.resolve("ntp-probe"),
                StagingTree.probeLauncher(jar, pintpJava.toString(), cache.toString()));
        List<String> cmd = new java.util.ArrayList<>(List.of("env", "PINTP_JAVA_DRY=1",
                "JAVA=" + Path.of(System.getProperty("java.home"), "bin", "java"), "PINTP_CACHE_DIR=" + cacheDirEnv,
                "sh", wrapper.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void theJarsDirectoryWritableMeansTheSystemCache() throws Exception {
        // who may write the package's directory (root, in the package) keeps the archive out of it
        String out = dryRun("", "--version");
        assertTrue(out.contains(" -XX:DumpLoadedClassList=" + dir.resolve("cache") + "/.ntp-probe-probe."), out);
        assertTrue(out.endsWith(" -jar " + dir.resolve("share/ntp-probe.jar") + " --version\n"), out);
        assertTrue(out.contains(" -Xmx64m "), out); // the probe's options, not the job's
    }

    @Test
    void anExplicitCacheDirectoryWins() throws Exception {
        Path mine = Files.createDirectories(dir.resolve("mine"));
        String out = dryRun(mine.toString(), "192.168.4.2", "--json");
        assertTrue(out.contains(" -XX:DumpLoadedClassList=" + mine + "/.ntp-probe-probe."), out);
        assertTrue(out.endsWith(" -jar " + dir.resolve("share/ntp-probe.jar") + " 192.168.4.2 --json\n"), out);
    }

    @Test
    void theWrapperStartsNoProcessOfItsOwn() throws Exception {
        String text = StagingTree.probeLauncher(Path.of("/usr/share/pintp/ntp-probe.jar"), "/usr/lib/pintp/pintp-java",
                "/var/cache/pintp");
        assertTrue(text.startsWith("#!/bin/sh\n"), text);
        assertTrue(text.endsWith("\nset -- probe /usr/share/pintp/ntp-probe.jar \"$@\"\n. /usr/lib/pintp/pintp-java\n"),
                text);
        assertTrue(!text.contains("$(") && !text.contains("`") && !text.contains("exec "), text);
    }
}
