package dev.pintp.probe;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.SourceReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The readable output: one row per source, then the verdict. Times in seconds. */
final class TableFormat {
    private static final String[] HEADER =
            {"SERVER", "ADDRESS", "ROLE", "STATUS", "STRATUM", "OFFSET/s", "DELAY/s", "ROOTDIST/s"};

    private TableFormat() {
    }

    /**
     * The table and verdict of {@code result}, ending with a newline.
     *
     * @param history per-source sparkline keyed by {@link Sparklines#key}, or null for no history column
     */
    static String render(CheckResult result, Thresholds thresholds, Map<String, String> history) {
        List<String[]> rows = new ArrayList<>();
        String[] header = HEADER;
        if (history != null) {
            header = java.util.Arrays.copyOf(HEADER, HEADER.length + 1);
            header[HEADER.length] = "HISTORY";
        }
        rows.add(header);
        for (SourceReport r : result.sources()) {
            SourceView v = SourceView.of(r);
            NtpSample x = v.sample().isPresent() ? v.sample().get() : null;
            String[] row = new String[header.length];
            row[0] = v.host();
            row[1] = v.addressText();
            row[2] = v.role();
            row[3] = v.statusText();
            row[4] = x == null ? "-" : Integer.toString(x.stratum());
            row[5] = x == null ? "-" : Seconds.fixed(x.offset(), 6, true);
            row[6] = x == null ? "-" : Seconds.fixed(x.delay(), 6, false);
            row[7] = x == null ? "-" : Seconds.fixed(x.rootDistance(), 6, false);
            if (history != null) {
                String h = history.get(Sparklines.key(r));
                row[8] = h == null ? "" : h;
            }
            rows.add(row);
        }
        int[] width = new int[header.length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder s = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                boolean numeric = c >= 4 && c <= 7;
                int pad = width[c] - row[c].length();
                if (numeric) {
                    line.append(" ".repeat(pad)).append(row[c]);
                } else {
                    line.append(row[c]).append(" ".repeat(pad));
                }
                if (c < row.length - 1) {
                    line.append("  ");
                }
            }
            s.append(line.toString().stripTrailing()).append('\n');
        }
        s.append('\n').append(verdictLine(result, thresholds)).append('\n');
        return s.toString();
    }

    /**
     * {@code Verdict: PRIMARY_SYNCED via HOST (ADDRESS), offset +0.000012 s, quality HIGH}, plus thresholds; when
     * unsynchronized, the verdict's reason: {@code Verdict: UNSYNCHRONIZED: this clock is +1.250 s off against
     * 192.168.4.2 (limit 0.128 s)}.
     */
    static String verdictLine(CheckResult result, Thresholds thresholds) {
        StringBuilder s = new StringBuilder("Verdict: ").append(result.verdict().name());
        if (result.selected().isPresent()) {
            SourceView v = SourceView.of(result.selected().get());
            s.append(" via ").append(v.host()).append(" (").append(v.addressText()).append(')');
            if (v.sample().isPresent()) {
                s.append(", offset ").append(Seconds.fixed(v.sample().get().offset(), 6, true)).append(" s");
            }
            s.append(", quality ").append(result.quality().name());
        } else {
            s.append(": ").append(result.reason().message());
        }
        ExitCode byOffset = thresholds.ofOffset(result);
        if (byOffset == ExitCode.CRITICAL) {
            s.append("; offset above critical threshold ")
                    .append(Seconds.exact(thresholds.critical().orElseThrow())).append(" s");
        } else if (byOffset == ExitCode.WARNING) {
            s.append("; offset above warning threshold ")
                    .append(Seconds.exact(thresholds.warning().orElseThrow())).append(" s");
        }
        return s.toString();
    }
}
