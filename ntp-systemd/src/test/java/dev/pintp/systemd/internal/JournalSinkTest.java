package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class JournalSinkTest {
    @Test
    void aNewlineCannotForgeASecondEntryAndControlCharactersAreShownEscaped() {
        assertEquals("server a <3>forged", JournalSink.oneLine("server a\r\n<3>forged"));
        assertEquals("x\\x1b[2Jy\\x07\\x7f\\x9b", JournalSink.oneLine("x\u001b[2Jy\u0007\u007f\u009b"));
        assertEquals("tab\tend\\x0b", JournalSink.oneLine("tab\tend\u000b"));
    }

    @Test
    void aPrintableLineIsKeptAsIs() {
        String line = "PRIMARY_SYNCED via 192.168.4.2 (fe80::1%eth0) \u00e9\u2713";
        assertSame(line, JournalSink.oneLine(line));
    }
}
