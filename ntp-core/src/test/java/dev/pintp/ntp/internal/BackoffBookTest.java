package dev.pintp.ntp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.BackoffState;
import dev.pintp.ntp.CheckDecision;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The breaker's state is the persisted BackoffState alone: a book read from it behaves as the one that wrote it. */
class BackoffBookTest {
    private static final Instant NOW = Instant.parse("2026-11-25T06:30:00Z");

    @Test
    void aHalfOpenBreakerFromTheStateLetsOneProbeThroughAtATime() throws Exception {
        InetSocketAddress pool = new InetSocketAddress(InetAddress.getByName("198.51.100.1"), 123);
        BackoffState state = BackoffState.of(List.of(new BackoffState.Entry(BackoffState.key(pool), Optional.empty(),
                0, Optional.empty(), 3, Optional.of(NOW.minusSeconds(60)))));
        BackoffBook book = new BackoffBook(state, Clock.fixed(NOW, ZoneOffset.UTC));
        assertEquals(Optional.empty(), book.skip(pool), "the open period has passed: one probe");
        Optional<BackoffBook.Skip> second = book.skip(pool);
        assertEquals(Optional.of(CheckDecision.BACKED_OFF), second.map(BackoffBook.Skip::reason),
                "a second query of the same address while the probe is under way");
        assertTrue(second.get().detail().contains("half open after 3 failed queries"), second.get().detail());
        book.release(pool);
        assertEquals(Optional.empty(), book.skip(pool), "the probe given back is taken again");
        assertEquals(state, book.snapshot(), "probing changes nothing persisted");
    }
}
