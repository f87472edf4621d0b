package dev.pintp.probe;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.SourceReport;
import dev.pintp.ntp.VerdictReason;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * {@code --json}: one compact JSON object per check, on one line. The shape is documented in docs/probe.md; times
 * are numbers in seconds, absent values are null.
 */
final class JsonFormat {
    private JsonFormat() {
    }

    /** The JSON document of {@code result}, without a trailing newline. */
    static String render(CheckResult result) {
        JsonWriter w = new JsonWriter().beginObject();
        w.name("verdict").value(result.verdict().name());
        w.name("verdictReason");
        reason(w, result.reason());
        w.name("selected");
        if (result.selected().isPresent()) {
            source(w, SourceView.of(result.selected().get()));
        } else {
            w.value((String) null);
        }
        w.name("sources").beginArray();
        for (SourceReport r : result.sources()) {
            source(w, SourceView.of(r));
        }
        w.endArray();
        return w.endObject().toString();
    }

    /**
     * The verdict's reason: {@code kind} and {@code message} always, then the fields of its kind ({@code host},
     * {@code address}, {@code port}, {@code offsetSeconds} and for {@code clock-off} {@code limitSeconds};
     * {@code agreeing} and {@code answering}; {@code sources}; {@code backedOff} and {@code denied}).
     */
    private static void reason(JsonWriter w, VerdictReason reason) {
        w.beginObject();
        w.name("kind").value(reason.kind());
        w.name("message").value(reason.message());
        if (reason instanceof VerdictReason.Synced s) {
            server(w, s.server(), s.address());
            w.name("offsetSeconds").number(Seconds.exact(s.offset()));
        } else if (reason instanceof VerdictReason.ClockOff off) {
            server(w, off.server(), off.address());
            w.name("offsetSeconds").number(Seconds.exact(off.offset()));
            w.name("limitSeconds").number(Seconds.exact(off.limit()));
        } else if (reason instanceof VerdictReason.NoMajority m) {
            w.name("agreeing").value(m.agreeing());
            w.name("answering").value(m.answering());
        } else if (reason instanceof VerdictReason.NoValidAnswer n) {
            w.name("sources").value(n.sources());
        } else if (reason instanceof VerdictReason.NotQueried q) {
            w.name("backedOff").value(q.backedOff());
            w.name("denied").value(q.denied());
        }
        w.endObject();
    }

    private static void server(JsonWriter w, NtpServer server, InetSocketAddress address) {
        w.name("host").value(server.host());
        w.name("address").value(address.getAddress() != null ? address.getAddress().getHostAddress()
                : address.getHostString());
        w.name("port").value(address.getPort());
    }

    private static void source(JsonWriter w, SourceView v) {
        w.beginObject();
        w.name("host").value(v.host());
        w.name("address").value(v.address());
        w.name("port").value(v.port());
        w.name("role").value(v.role());
        w.name("status").value(v.status());
        w.name("reason").value(v.reason());
        w.name("reasons").beginArray();
        for (String word : v.reasons()) {
            w.value(word);
        }
        w.endArray();
        Optional<NtpSample> s = v.sample();
        NtpSample x = s.isPresent() ? s.get() : null;
        w.name("stratum");
        if (x == null) {
            w.number(null);
        } else {
            w.value(x.stratum());
        }
        w.name("leap").value(x == null ? null : SourceView.word(x.leap()));
        w.name("refId").value(x == null ? null : x.referenceId().text());
        w.name("offsetSeconds").number(x == null ? null : Seconds.exact(x.offset()));
        w.name("delaySeconds").number(x == null ? null : Seconds.exact(x.delay()));
        w.name("rootDelaySeconds").number(x == null ? null : Seconds.exact(x.rootDelay()));
        w.name("rootDispersionSeconds").number(x == null ? null : Seconds.exact(x.rootDispersion()));
        w.name("rootDistanceSeconds").number(x == null ? null : Seconds.exact(x.rootDistance()));
        w.name("samples").value(v.samples());
        w.endObject();
    }
}
