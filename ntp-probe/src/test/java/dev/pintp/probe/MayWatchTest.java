package dev.pintp.probe;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When the probe looks at its terminal: whenever the arguments may ask for --watch, and only then. */
class MayWatchTest {
    @Test
    void everySpellingTheParserTakesCounts() throws UsageException {
        for (String[] args : new String[][] {{"--watch", "2s"}, {"--watch=2s"}, {"--json", "--watch", "2s", "h"},
            {"h", "--watch=1s", "--count", "2"}, {"--primary", "--watch"}}) {
            assertTrue(ProbeMain.mayWatch(args), String.join(" ", args));
        }
        // the parser agrees where it accepts them: each of these really watches
        assertTrue(ProbeArguments.parse(new String[] {"--watch", "2s"}).watch().isPresent());
        assertTrue(ProbeArguments.parse(new String[] {"--watch=2s"}).watch().isPresent());
    }

    @Test
    void otherArgumentsDoNot() throws UsageException {
        for (String[] args : new String[][] {{}, {"192.168.4.2"}, {"--json", "h"}, {"--", "--watch", "2s"},
            {"--watchful"}, {"--count", "2", "h"}, {"-w", "0.1", "h"}}) {
            assertFalse(ProbeMain.mayWatch(args), String.join(" ", args));
        }
        assertFalse(ProbeArguments.parse(new String[] {"--json", "h"}).watch().isPresent());
    }
}
