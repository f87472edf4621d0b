package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnifiedDiffTest {
    @TempDir
    Path dir;

    @Test
    void newFileIsAllAdditions() {
        assertEquals("--- /dev/null\n+++ b/etc/x\n@@ -0,0 +1,2 @@\n+a\n+b\n", UnifiedDiff.of("/etc/x", null, "a\nb\n"));
    }

    @Test
    void controlCharactersInTheOldFileAreShownNotSentToTheTerminal() {
        assertEquals("--- a/etc/x\n+++ /dev/null\n@@ -1 +0,0 @@\n-\\x1b]0;owned\\x07x\n",
                UnifiedDiff.of("/etc/x", "\u001b]0;owned\u0007x\n", null));
    }

    @Test
    void equalTextsGiveNothing() {
        assertEquals("", UnifiedDiff.of("/etc/x", "a\n", "a\n"));
    }

    @Test
    void matchesDiffUOnSeparatedChanges() throws Exception {
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 30; i++) {
            a.append("line ").append(i).append('\n');
            if (i == 3) {
                b.append("changed 3\n");
            } else if (i == 20) {
                b.append("line 20\ninserted\n");
            } else if (i != 25) {
                b.append("line ").append(i).append('\n');
            }
        }
        String ours = UnifiedDiff.of("/x", a.toString(), b.toString());
        Path fa = dir.resolve("a");
        Path fb = dir.resolve("b");
        Files.writeString(fa, a);
        Files.writeString(fb, b);
        String theirs = diffU(fa, fb);
        // compare the hunks; the header lines name files differently
        assertEquals(theirs.substring(theirs.indexOf("@@")), ours.substring(ours.indexOf("@@")));
    }

    private static String diffU(Path a, Path b) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(List.of("diff", "-u", a.toString(), b.toString())).start();
        } catch (IOException e) {
            Assumptions.abort("SKIPPED: diff(1) not installed: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
