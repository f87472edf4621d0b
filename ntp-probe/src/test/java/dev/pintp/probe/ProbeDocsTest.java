package dev.pintp.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage, man page and bash completion are all rendered from the one option table. */
class ProbeDocsTest {

    @Test
    void theManPageDocumentsEveryOptionAndExitCode(@TempDir Path dir) throws IOException {
        ProbeDocs.main(new String[] {dir.toString()});
        String man = Files.readString(dir.resolve("ntp-probe.1"));
        assertEquals(ProbeDocs.manPage(), man);
        assertTrue(man.startsWith(".TH NTP\\-PROBE 1 "), man);
        for (OptionSpec o : ProbeCommand.OPTIONS) {
            assertTrue(man.contains("\\fB" + o.longName().replace("-", "\\-") + "\\fR"), o.longName());
        }
        for (String[] e : ProbeCommand.EXIT_CODES) {
            assertTrue(man.contains(".B " + e[0] + "\n"), e[0]);
        }
    }

    @Test
    void theUsageStatesTheLibrarysActualDefaults() {
        NtpConfig d = NtpConfig.ofDefaults();
        String usage = ProbeCommand.usage();
        assertTrue(usage.contains("(default " + d.maxOffset().toMillis() + "ms)"), usage);
        assertTrue(usage.contains("(default " + d.timeout().toSeconds() + "s)"), usage);
        assertTrue(usage.contains("else " + d.maxRootDistance().toSeconds() + "s)"), usage);
        assertTrue(usage.contains("1 to 16 (default " + d.primarySamples() + ")"), usage);
        assertEquals(d.timeout().multipliedBy(2), d.checkDeadline(), "\"the whole check gets twice this\"");
    }

    @Test
    void bashCompletesOptionsFromTheTable(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("ntp-probe.bash");
        Files.writeString(script, ProbeDocs.bashCompletion());
        assertEquals("--max-root-distance --max-offset", complete(script, "--max"));
        assertEquals("--timeout", complete(script, "--ti"));
        assertEquals("", complete(script, "--timeout", ""));
        Files.createDirectories(dir.resolve("etc-root"));
        assertEquals(dir.resolve("etc-root").toString(), complete(script, "--root", dir.resolve("etc-").toString()));
    }

    private static String complete(Path script, String... words) throws Exception {
        StringBuilder w = new StringBuilder("ntp-probe");
        for (String s : words) {
            w.append(" '").append(s).append('\'');
        }
        String cmd = "source '" + script + "'; COMP_WORDS=(" + w + "); COMP_CWORD=" + words.length
                + "; _ntp_probe; echo \"${COMPREPLY[*]}\"";
        Process p = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", cmd).redirectErrorStream(true).start();
        try {
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        } finally {
            p.destroyForcibly();
        }
    }
}
