package dev.pintp.probe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Renders the man page and the bash completion of {@code ntp-probe} from {@link ProbeCommand}, the same definition
 * the parser uses. The build runs {@link #main} at {@code package} to write {@code target/ntp-probe.1} and
 * {@code target/ntp-probe.bash}.
 */
public final class ProbeDocs {
    private ProbeDocs() {
    }

    /**
     * Writes {@code ntp-probe.1} and {@code ntp-probe.bash} into the directory {@code args[0]}, creating it.
     *
     * @param args one argument: the output directory
     * @throws IOException when a file cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ProbeDocs OUTPUT_DIR");
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        Files.writeString(dir.resolve(ProbeCommand.NAME + ".1"), manPage(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(ProbeCommand.NAME + ".bash"), bashCompletion(), StandardCharsets.UTF_8);
    }

    /** The man page, section 1, in troff's man macros. */
    static String manPage() {
        StringBuilder s = new StringBuilder();
        s.append(".TH NTP\\-PROBE 1 \"\" \"pintp\" \"User Commands\"\n");
        s.append(".SH NAME\n").append(roff(ProbeCommand.NAME)).append(" \\- ").append(roff(ProbeCommand.PURPOSE))
                .append('\n');
        s.append(".SH SYNOPSIS\n.B ").append(roff(ProbeCommand.NAME)).append("\n[\\fIOPTION\\fR...] [\\fISERVER\\fR...]\n");
        s.append(".SH DESCRIPTION\n");
        s.append("Queries the primary and fallback NTP servers concurrently with SNTP, validates every reply, "
                + "selects a source and prints whether the local clock is synchronized to a primary server, to a "
                + "fallback server only, or not at all.\n");
        s.append(".PP\n").append(roff(ProbeCommand.OPERANDS_DESCRIPTION)).append('\n');
        s.append(".PP\nWith no server given, \\fBNTP=\\fR, \\fBFallbackNTP=\\fR and \\fBRootDistanceMaxSec=\\fR are "
                + "read from the systemd\\-timesyncd configuration; a list that is not set there falls back to "
                + dev.pintp.ntp.NtpConfig.DEFAULT_PRIMARY + " (primary) and 0.debian.pool.ntp.org, 1.debian.pool.ntp.org, "
                + "2.debian.pool.ntp.org (fallback).\n");
        s.append(".SH OPTIONS\n");
        for (OptionSpec o : ProbeCommand.OPTIONS) {
            s.append(".TP\n");
            if (!o.shortName().isEmpty()) {
                s.append("\\fB").append(roff(o.shortName())).append("\\fR, ");
            }
            s.append("\\fB").append(roff(o.longName())).append("\\fR");
            if (o.takesValue()) {
                s.append(" \\fI").append(roff(o.paramLabel())).append("\\fR");
            }
            s.append('\n').append(roff(o.description())).append('\n');
        }
        s.append(".SH EXIT STATUS\n");
        for (String[] e : ProbeCommand.EXIT_CODES) {
            s.append(".TP\n.B ").append(e[0]).append('\n').append(roff(e[1])).append('\n');
        }
        s.append(".SH FILES\n.TP\n.I /etc/systemd/timesyncd.conf\n"
                + "and the drop\\-ins in \\fItimesyncd.conf.d/*.conf\\fR under /etc, /run, /usr/local/lib and "
                + "/usr/lib, with systemd\\-timesyncd's precedence.\n");
        s.append(".SH EXAMPLES\n.EX\nntp\\-probe 192.168.4.2\nntp\\-probe \\-\\-json \\-\\-fallback pool.example:123 "
                + "192.168.4.2\nntp\\-probe \\-\\-nagios \\-w 0.05 \\-c 0.1\nntp\\-probe \\-\\-watch 2s\n.EE\n");
        s.append(".SH SEE ALSO\n.BR timesyncd.conf (5),\n.BR ntpdig (1)\n");
        return s.toString();
    }

    /** A bash completion script: {@code source} it, or install it as {@code completions/ntp-probe}. */
    static String bashCompletion() {
        StringBuilder names = new StringBuilder();
        StringBuilder dirs = new StringBuilder();
        StringBuilder hosts = new StringBuilder();
        StringBuilder values = new StringBuilder();
        for (OptionSpec o : ProbeCommand.OPTIONS) {
            for (String n : o.names()) {
                names.append(names.length() == 0 ? "" : " ").append(n);
                if (!o.takesValue()) {
                    continue;
                }
                StringBuilder into = o.completion().equals("dir") ? dirs
                        : o.completion().equals("host") ? hosts : values;
                into.append(into.length() == 0 ? "" : "|").append(n);
            }
        }
        return "# bash completion for " + ProbeCommand.NAME + ", generated from its option definitions\n"
                + "_ntp_probe() {\n"
                + "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
                + "    case $prev in\n"
                + "        " + dirs + ") COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
                + "        " + hosts + ") COMPREPLY=($(compgen -A hostname -- \"$cur\")); return ;;\n"
                + "        " + values + ") COMPREPLY=(); return ;;\n"
                + "    esac\n"
                + "    if [[ $cur == -* ]]; then\n"
                + "        COMPREPLY=($(compgen -W \"" + names + "\" -- \"$cur\"))\n"
                + "    else\n"
                + "        COMPREPLY=($(compgen -A hostname -- \"$cur\"))\n"
                + "    fi\n"
                + "}\n"
                + "complete -F _ntp_probe " + ProbeCommand.NAME + "\n";
    }

    /** Escapes text for troff: backslashes, hyphens (so they are not typeset as dashes), a leading dot. */
    private static String roff(String text) {
        String s = text.replace("\\", "\\e").replace("-", "\\-");
        return s.startsWith(".") || s.startsWith("'") ? "\\&" + s : s;
    }
}
