package dev.pintp.probe;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.SourceReport;
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

    private static void source(JsonWriter w, SourceView v) {
        w.beginObject();
        w.name("host").value(v.host());
        w.name("address").value(v.address());
        w.name("port").value(v.port());
        w.name("role").value(v.role());
        w.name("status").value(v.status());
        w.name("reason").value(v.reason());
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
