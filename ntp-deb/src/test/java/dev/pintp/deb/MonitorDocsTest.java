package dev.pintp.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.systemd.SystemdMain;
import dev.pintp.systemd.internal.Installer;
import dev.pintp.systemd.internal.Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The package's man page and bash completion of {@code ntp-monitor} against the commands and options its usage
 * ({@code ntp-monitor --help}, SystemdMain) lists: every command is an entry of the man page's COMMANDS and a first
 * word of the completion, every option an entry of OPTIONS, and the completion offers each command exactly the
 * options the usage gives it and every command's ({@code --root}, {@code -v}, {@code --systemctl}).
 */
class MonitorDocsTest {
    static final Path MAN = Path.of("src/deb/man/ntp-monitor.1");
    static final Path COMPLETION = Path.of("src/deb/completions/ntp-monitor");
    static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--?[a-z][a-z-]*)");
    /** The key of the options every command takes in {@link #usage()}. */
    static final String EVERY = "";

    @TempDir
    Path dir;

    /**
     * The usage's commands in order, each with the options its lines name; {@link #EVERY} holds those of "options
     * for every command". A command's lines: its own ("  install [--root DIR] ...") and those indented further.
     */
    static Map<String, Set<String>> usage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, SystemdMain.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                Map.of()));
        Map<String, Set<String>> commands = new LinkedHashMap<>();
        Set<String> current = null;
        Pattern command = Pattern.compile("  ([a-z][a-z-]*)(?:\\s.*)?");
        for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
            Matcher m = command.matcher(line);
            if (m.matches()) {
                current = commands.computeIfAbsent(m.group(1), c -> new TreeSet<>());
            } else if (line.startsWith("options for every command")) {
                current = commands.computeIfAbsent(EVERY, c -> new TreeSet<>());
            } else if (!line.startsWith("   ") && !line.startsWith("  -")) {
                current = null; // "usage: ...", a note in parentheses
            }
            if (current != null) {
                OPTION.matcher(line).results().map(r -> r.group(1)).forEach(current::add);
            }
        }
        return commands;
    }

    @Test
    void theUsageIsReadAsItIsWritten() {
        Map<String, Set<String>> usage = usage();
        assertEquals(List.of("run", "serve", "daemon", "wait", "fail-safe", "install", "uninstall", "status", EVERY),
                List.copyOf(usage.keySet()));
        assertEquals(Set.of("--root", "-v", "--systemctl"), usage.get(EVERY));
        assertEquals(Set.of("--timeout", "--require", "--max-interval"), usage.get("wait"));
        assertTrue(usage.get("install").containsAll(Set.of("--enable-wait", "--wait-timeout", "--wait-require",
                "--auth", "--key-id")), usage.get("install").toString());
    }

    /** The tags of the {@code .TP} entries in the man page's section {@code name}, unescaped: "--wait-timeout". */
    static List<String> manEntries(String name) throws Exception {
        String man = Files.readString(MAN);
        int start = man.indexOf("\n.SH " + name + "\n");
        assertTrue(start >= 0, "no section " + name);
        int end = man.indexOf("\n.SH ", start + 1);
        List<String> tags = new ArrayList<>();
        String section = man.substring(start, end < 0 ? man.length() : end);
        Matcher m = Pattern.compile("\n\\.TP\n\\\\fB(.+?)\\\\f[RP]").matcher(section);
        while (m.find()) {
            tags.add(m.group(1).replace("\\-", "-"));
        }
        return tags;
    }

    @Test
    void theManPageHasAnEntryForEveryCommandAndOption() throws Exception {
        Map<String, Set<String>> usage = usage();
        List<String> commands = new ArrayList<>(usage.keySet());
        commands.remove(EVERY);
        assertEquals(commands, manEntries("COMMANDS"));
        Set<String> options = new TreeSet<>();
        usage.values().forEach(options::addAll);
        List<String> entries = manEntries("OPTIONS");
        for (String o : options) {
            assertTrue(entries.contains(o), o + " has no entry in OPTIONS: " + entries);
        }
    }

    @Test
    void theUnitsDocumentationNamesTheManPageThePackageShips() throws Exception {
        Matcher th = Pattern.compile("^\\.TH NTP\\\\-MONITOR ([1-8]) ").matcher(Files.readString(MAN));
        assertTrue(th.find(), "the .TH line");
        String section = th.group(1);
        assertEquals("/usr/share/man/man" + section + "/ntp-monitor." + section + ".gz", StagingTree.MONITOR_MAN);
        Map<Path, String> units = Installer.packagedUnits(Settings.load(Files.createDirectories(dir.resolve("root")),
                Map.of()));
        int documented = 0;
        for (Map.Entry<Path, String> u : units.entrySet()) {
            for (String line : u.getValue().lines().filter(l -> l.startsWith("Documentation=")).toList()) {
                assertEquals("Documentation=man:ntp-monitor(" + section + ")", line, u.getKey().toString());
                documented++;
            }
        }
        assertTrue(documented >= 4, "the services name the man page: " + units.keySet());
    }

    /** What the completion offers after {@code words}, the last being the word under the cursor. */
    static Set<String> complete(String... words) throws Exception {
        StringBuilder script = new StringBuilder(". \"$1\"; COMP_WORDS=(ntp-monitor");
        for (String w : words) {
            script.append(" '").append(w).append("'");
        }
        script.append("); COMP_CWORD=").append(words.length)
                .append("; _ntp_monitor; printf '%s\\n' \"${COMPREPLY[@]}\"");
        Process p = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", script.toString(), "completion",
                COMPLETION.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(1, TimeUnit.MINUTES), "bash ended");
        assertEquals(0, p.exitValue(), out);
        return new TreeSet<>(out.lines().filter(l -> !l.isEmpty()).toList());
    }

    @Test
    void theCompletionOffersEveryCommandAndEachCommandExactlyItsOptions() throws Exception {
        Map<String, Set<String>> usage = usage();
        Set<String> commands = new TreeSet<>(usage.keySet());
        commands.remove(EVERY);
        commands.add("--help");
        assertEquals(commands, complete(""));
        for (Map.Entry<String, Set<String>> c : usage.entrySet()) {
            if (c.getKey().equals(EVERY)) {
                continue;
            }
            Set<String> expected = new TreeSet<>(c.getValue());
            expected.addAll(usage.get(EVERY));
            assertEquals(expected, complete(c.getKey(), "-"), c.getKey());
        }
        assertEquals(Set.of("primary", "majority"), complete("wait", "--require", ""));
        assertEquals(Set.of("primary", "majority"), complete("install", "--enable-wait", "--wait-require", ""));
        assertEquals(Set.of(), complete("install", "--enable-wait", "--wait-timeout", ""));
        assertEquals(Set.of("key", "nts"), complete("install", "--auth", ""));
    }
}
