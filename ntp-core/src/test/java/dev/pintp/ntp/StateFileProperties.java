package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * State files live on an SD card and may be cut short or corrupted: decoding any text either gives a state or throws
 * {@link IllegalArgumentException}, never anything else; encoded states round-trip.
 */
class StateFileProperties {

    @Provide
    Arbitrary<BackoffState> backoffStates() {
        Arbitrary<Optional<Instant>> instant = Arbitraries.longs().between(0, 4_000_000_000L)
                .map(Instant::ofEpochSecond).optional();
        Arbitrary<BackoffState.Entry> entry = Combinators.combine(
                Arbitraries.integers().between(1, 254).map(i -> "198.51.100." + i + ":123"), instant,
                Arbitraries.integers().between(0, 40), instant, Arbitraries.integers().between(0, 40), instant)
                .as(BackoffState.Entry::new);
        return entry.list().ofMaxSize(10).map(BackoffState::of);
    }

    @Property
    void backoffStateRoundTrips(@ForAll("backoffStates") BackoffState state) {
        assertEquals(state, BackoffState.decode(state.encode()));
    }

    @Property
    void corruptedBackoffFilesFailOnlyWithIllegalArgument(@ForAll("backoffStates") BackoffState state,
            @ForAll @IntRange(min = 0, max = 400) int cut, @ForAll char junk, @ForAll @IntRange(max = 400) int at) {
        decodesOrRejects(mutate(state.encode(), cut, junk, at), BackoffState::decode);
    }

    @Property
    void corruptedSyncStateFilesFailOnlyWithIllegalArgument(@ForAll @IntRange(min = 0, max = 5) int stable,
            @ForAll @IntRange(min = 0, max = 400) int cut, @ForAll char junk, @ForAll @IntRange(max = 400) int at) {
        SyncState s = new SyncState(DecisionProperties.OBSERVATIONS.get(stable), Optional.of(Fixtures.T0),
                1234.5 * stable + 0.25, Optional.of(Fixtures.T0), stable % 2 == 0, false);
        decodesOrRejects(mutate(s.encode(), cut, junk, at), SyncState::decode);
    }

    @Property
    void corruptedDriftFilesFailOnlyWithIllegalArgument(@ForAll @IntRange(min = 0, max = 400) int cut,
            @ForAll char junk, @ForAll @IntRange(max = 400) int at) {
        NtpConfig config = NtpConfig.custom().primaryHosts("192.0.2.2").fallbacks(List.of()).build();
        DriftHistory h = DriftHistory.empty();
        for (int m = 0; m < 5; m++) {
            h = h.next(Fixtures.primaryCheck(config, Fixtures.T0.plus(Duration.ofMinutes(m)), Duration.ofMillis(m)),
                    config);
        }
        decodesOrRejects(mutate(h.encode(), cut, junk, at), DriftHistory::decode);
    }

    @Property
    void arbitraryTextFailsOnlyWithIllegalArgument(@ForAll String text) {
        decodesOrRejects(text, BackoffState::decode);
        decodesOrRejects(text, SyncState::decode);
        decodesOrRejects(text, DriftHistory::decode);
    }

    @Property
    void corruptedFilesOfTheFormatBeforeFailOnlyWithIllegalArgument(@ForAll @IntRange(min = 0, max = 400) int cut,
            @ForAll char junk, @ForAll @IntRange(max = 400) int at) {
        // as the release before the pintp-state format wrote them; read so that an upgrade keeps the state
        decodesOrRejects(mutate("pintp-sync 2\nverdict=PRIMARY_SYNCED\nserver=192.168.4.2\nquality=MEDIUM\n"
                + "since=2026-11-25T06:00:00Z\npenalty=1234.5\npenalty.at=2026-11-25T06:01:00Z\nsuppressed=true\n",
                cut, junk, at), SyncState::decode);
        decodesOrRejects(mutate("pintp-backoff 1\n198.51.100.1:123 rate=2026-11-25T06:00:00Z kisses=2 deny=-"
                + " failures=0 open=-\n", cut, junk, at), BackoffState::decode);
        decodesOrRejects(mutate("pintp-drift 1\nserver=192.0.2.2 offsetAlert=true frequencyAlert=false\n"
                + "2026-11-25T06:00:00Z 0\n2026-11-25T06:01:00Z -12000000\n", cut, junk, at), DriftHistory::decode);
    }

    @Example
    void aFileOfOnlyALineSeparatorThatStripKeepsIsRejectedAsSuch() {
        // U+0085 (NEL) is a line separator for \R but not white space for strip(): split gave no line at all and
        // the decoders failed with ArrayIndexOutOfBoundsException (found by the property above on 2026-12-02)
        for (String text : List.of("\u0085", "\u0085\u0085", " \u0085 ")) {
            decodesOrRejects(text, BackoffState::decode);
            decodesOrRejects(text, SyncState::decode);
            decodesOrRejects(text, DriftHistory::decode);
        }
    }

    /** The text cut at {@code cut} (if shorter) with {@code junk} put in at {@code at}. */
    private static String mutate(String text, int cut, char junk, int at) {
        String s = text.substring(0, Math.min(cut, text.length()));
        int i = Math.min(at, s.length());
        return s.substring(0, i) + junk + s.substring(i);
    }

    private static void decodesOrRejects(String text, Function<String, ?> decode) {
        List<Throwable> wrong = new ArrayList<>();
        try {
            decode.apply(text);
        } catch (IllegalArgumentException expected) {
            // fine: a bad file is reported as such
        } catch (RuntimeException e) {
            wrong.add(e);
        }
        assertEquals(List.of(), wrong, () -> "decoding '" + text + "'");
    }
}
