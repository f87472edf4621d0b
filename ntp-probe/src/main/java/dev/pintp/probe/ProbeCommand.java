package dev.pintp.probe;

import java.util.List;

/**
 * The definition of the {@code ntp-probe} command: its name, purpose, options, operands and exit codes. Usage text,
 * man page and bash completion are rendered from this, so they cannot drift apart from what the parser accepts.
 */
final class ProbeCommand {
    static final String NAME = "ntp-probe";
    static final String PURPOSE = "check whether the local clock can be trusted against NTP servers";
    static final String OPERANDS = "[SERVER...]";
    static final String OPERANDS_DESCRIPTION =
            "Primary servers as HOST or HOST:PORT (IPv6 as [ADDR]:PORT); port 123 when omitted.";

    static final OptionSpec PRIMARY = new OptionSpec("--primary", "", "HOST[:PORT]", "host",
            "Add a primary server (repeatable); same as a SERVER operand.");
    static final OptionSpec FALLBACK = new OptionSpec("--fallback", "", "HOST[:PORT]", "host",
            "Add a fallback server (repeatable).");
    static final OptionSpec ROOT = new OptionSpec("--root", "", "DIR", "dir",
            "Read the systemd-timesyncd configuration under DIR instead of / (used when no server is given).");
    static final OptionSpec SAMPLES = new OptionSpec("--samples", "", "N", "",
            "Exchanges per primary server address, 1 to 16 (default 4); fallbacks always get 1.");
    static final OptionSpec TIMEOUT = new OptionSpec("--timeout", "", "DURATION", "",
            "How long a server gets to answer, e.g. 1s, 500ms (default 1s); a primary's burst and re-sends fit in it;"
            + " the whole check gets twice this.");
    static final OptionSpec MAX_ROOT_DISTANCE = new OptionSpec("--max-root-distance", "", "DURATION", "",
            "Largest acceptable root distance (default: RootDistanceMaxSec= from timesyncd, else 5s).");
    static final OptionSpec MAX_OFFSET = new OptionSpec("--max-offset", "", "DURATION", "",
            "Largest offset that still counts as synchronized (default 128ms).");
    static final OptionSpec KEYFILE = new OptionSpec("--keyfile", "", "FILE", "",
            "chrony keyfile holding the key of --key; must be private (mode 0600 or 0400, owned by root or you).");
    static final OptionSpec KEY = new OptionSpec("--key", "", "ID", "",
            "Authenticate every server on the command line with key ID of --keyfile (chrony's key option).");
    static final OptionSpec ALLOW_MD5 = new OptionSpec("--allow-md5", "", "", "",
            "Accept an MD5 key for --key (weak: length extension; a warning is printed).");
    static final OptionSpec JSON = new OptionSpec("--json", "", "", "",
            "Print the result as one JSON object.");
    static final OptionSpec NAGIOS = new OptionSpec("--nagios", "", "", "",
            "Print one check_ntp_time-style status line with perfdata.");
    static final OptionSpec WARNING = new OptionSpec("--warning", "-w", "DURATION", "",
            "Offset above which the exit code is at least 1 (WARNING); a bare number is seconds.");
    static final OptionSpec CRITICAL = new OptionSpec("--critical", "-c", "DURATION", "",
            "Offset above which the exit code is 2 (CRITICAL); a bare number is seconds.");
    static final OptionSpec WATCH = new OptionSpec("--watch", "", "INTERVAL", "",
            "Check again every INTERVAL (at least 1s), redrawing the table with an offset history per source.");
    static final OptionSpec COUNT = new OptionSpec("--count", "", "N", "",
            "With --watch: stop after N checks (default: run until interrupted).");
    static final OptionSpec NTS = new OptionSpec("--nts", "", "", "",
            "Use NTS (RFC 8915) for every server on the command line; unauthenticated answers are never used.");
    static final OptionSpec NTS_CA = new OptionSpec("--nts-ca", "", "FILE", "file",
            "With --nts: trust the CA certificates in FILE (PEM) instead of the system trust store.");
    static final OptionSpec NTS_PORT = new OptionSpec("--nts-port", "", "PORT", "",
            "With --nts: the NTS-KE port (default 4460).");
    static final OptionSpec NTS_COOKIES = new OptionSpec("--nts-cookies", "", "DIR", "dir",
            "With --nts: keep NTS keys and cookies in DIR between runs (files of mode 0600), so that a later run"
                    + " needs no NTS-KE.");
    static final OptionSpec HELP = new OptionSpec("--help", "-h", "", "",
            "Print this help and exit 0.");
    static final OptionSpec VERSION = new OptionSpec("--version", "-V", "", "",
            "Print the version and exit 0.");

    static final List<OptionSpec> OPTIONS = List.of(PRIMARY, FALLBACK, ROOT, SAMPLES, TIMEOUT, MAX_ROOT_DISTANCE,
            MAX_OFFSET, KEYFILE, KEY, ALLOW_MD5, JSON, NAGIOS, WARNING, CRITICAL, WATCH, COUNT, NTS, NTS_CA, NTS_PORT,
            NTS_COOKIES, HELP, VERSION);

    /** Exit codes with their meaning, in order; the same in every output mode. */
    static final List<String[]> EXIT_CODES = exitCodes();

    private static List<String[]> exitCodes() {
        List<String[]> codes = new java.util.ArrayList<>();
        for (ExitCode c : ExitCode.values()) {
            codes.add(new String[] {Integer.toString(c.code()), c.meaning()});
        }
        return List.copyOf(codes);
    }

    private ProbeCommand() {
    }

    /** The usage text: synopsis, operands, options and exit codes, lines of at most 120 characters. */
    static String usage() {
        StringBuilder s = new StringBuilder();
        s.append("Usage: ").append(NAME).append(" [OPTION...] ").append(OPERANDS).append('\n');
        s.append("Query NTP servers and ").append(PURPOSE).append(".\n\n");
        s.append("  SERVER...").append(" ".repeat(31 - "  SERVER...".length())).append(OPERANDS_DESCRIPTION)
                .append('\n');
        s.append("With no server given, NTP= and FallbackNTP= of the systemd-timesyncd configuration are used, else\n")
                .append(dev.pintp.ntp.NtpConfig.DEFAULT_PRIMARY + " as primary and the Debian pool as fallback.\n\nOptions:\n");
        for (OptionSpec o : OPTIONS) {
            String left = "  " + o.synopsis();
            s.append(left);
            if (left.length() < 30) {
                s.append(" ".repeat(31 - left.length()));
            } else {
                s.append('\n').append(" ".repeat(31));
            }
            s.append(o.description()).append('\n');
        }
        s.append("\nExit codes:\n");
        for (String[] e : EXIT_CODES) {
            s.append("  ").append(e[0]).append("  ").append(e[1]).append('\n');
        }
        return s.toString();
    }
}
