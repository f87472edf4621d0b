package dev.pintp.probe;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.NtpChecker;
import dev.pintp.ntp.NtpConfig;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * {@code java -jar ntp-probe.jar [OPTION...] [SERVER...]}: checks the configured NTP servers once (or repeatedly with
 * {@code --watch}) and prints the result as a table, JSON or a Nagios status line. Exit codes: 0 synchronized to a
 * primary, 1 to a fallback only, 2 unsynchronized, 3 usage or internal error (see {@link ExitCode}).
 */
public final class ProbeMain {
    private static final Production PRODUCTION = new Production();

    private ProbeMain() {
    }

    /** Runs the probe and exits the JVM with its exit code. */
    public static void main(String[] args) {
        PrintStream out = stream(FileDescriptor.out);
        PrintStream err = stream(FileDescriptor.err);
        // the terminal and its encoding matter to --watch only: System.console() costs a one-shot probe on JDK 25
        // a look-up of console providers (about a tenth of its CPU there, docs/cost.md)
        boolean watch = mayWatch(args);
        int code = run(args, new ProbeEnvironment(out, err, PRODUCTION, new TimesyncdDefaults(),
                PRODUCTION, watch && System.console() != null, !watch || canEncodeBlocks()));
        out.flush();
        err.flush();
        System.out.flush();
        System.err.flush();
        // halt, not exit: the checker's threads must not keep the process alive, and the probe has no shutdown
        // hooks to run; System.exit on JDK 21 and later first looks up a System.Logger to log the exit, a service
        // look-up that opens the 12 MB jar once more (about a tenth of a probe's CPU there, docs/cost.md)
        Runtime.getRuntime().halt(code);
    }

    /**
     * True unless {@code args} surely do not ask for {@code --watch}: no argument before a {@code --} is
     * {@code --watch} or {@code --watch=...} (the parser's only spellings of it). An option's value that reads
     * {@code --watch} answers true too: only the look at the terminal is wasted then.
     */
    static boolean mayWatch(String[] args) {
        String name = ProbeCommand.WATCH.longName();
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (a.startsWith(name) && (a.length() == name.length() || a.charAt(name.length()) == '=')) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs the probe in-process on the real network, resolver and timesyncd configuration, printing to the given
     * streams (no terminal, so {@code --watch} does not redraw in place). Never throws; never exits the JVM.
     *
     * @param args the command-line arguments
     * @param out standard output
     * @param err standard error
     * @return the exit code: 0, 1, 2 or 3
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, new ProbeEnvironment(out, err, PRODUCTION, new TimesyncdDefaults(),
                PRODUCTION, false, true));
    }

    /** Runs the probe in {@code env}. Never throws. */
    static int run(String[] argv, ProbeEnvironment env) {
        try {
            return runOrThrow(argv, env);
        } catch (RuntimeException e) {
            // a bug of ours, or a surprise from a component: still one line and exit 3, never a stack trace
            env.err().println(ProbeCommand.NAME + ": internal error: " + oneLine(e.toString()));
            env.err().flush();
            return ExitCode.UNKNOWN.code();
        }
    }

    private static int runOrThrow(String[] argv, ProbeEnvironment env) {
        ProbeArguments args;
        try {
            args = ProbeArguments.parse(argv);
        } catch (UsageException e) {
            return usageError(env, e.getMessage());
        }
        if (args.help()) {
            env.out().print(ProbeCommand.usage());
            return ExitCode.OK.code();
        }
        if (args.version()) {
            env.out().println(ProbeCommand.NAME + " " + version());
            return ExitCode.OK.code();
        }
        NtpConfig config;
        java.util.List<String> warnings = new java.util.ArrayList<>();
        try {
            config = ProbeConfig.build(args, env.defaults(), warnings);
            for (String w : warnings) {
                env.err().println(ProbeCommand.NAME + ": " + w);
            }
        } catch (UsageException e) {
            return usageError(env, e.getMessage());
        } catch (SystemDefaults.ConfigFailure e) {
            return failure(env, args, e.getMessage());
        }
        Thresholds thresholds = new Thresholds(args.warning(), args.critical());
        NtpChecker checker = null;
        try {
            checker = env.checkers().create(config);
            if (args.watch().isPresent()) {
                return watch(checker, args, thresholds, env);
            }
            CheckResult result = checker.check();
            print(result, args, thresholds, env, null);
            return thresholds.exitCode(result).code();
        } catch (RuntimeException e) {
            return failure(env, args, "internal error: " + e);
        } finally {
            close(checker, env);
        }
    }

    private static int watch(NtpChecker checker, ProbeArguments args, Thresholds thresholds, ProbeEnvironment env) {
        Duration interval = args.watch().orElseThrow();
        long count = args.count().isPresent() ? args.count().getAsInt() : Long.MAX_VALUE;
        Sparklines history = new Sparklines(30, env.unicode());
        ExitCode code = ExitCode.UNKNOWN;
        int previousLines = 0;
        for (long i = 0; i < count; i++) {
            CheckResult result = checker.check();
            code = thresholds.exitCode(result);
            if (args.mode() == ProbeArguments.OutputMode.JSON) {
                env.out().println(JsonFormat.render(result));
            } else {
                history.add(result);
                String frame = "Every " + Seconds.exact(interval) + " s: " + ProbeCommand.NAME + ", check " + (i + 1)
                        + " at " + result.checkedAt().truncatedTo(ChronoUnit.SECONDS) + "\n\n"
                        + TableFormat.render(result, thresholds, history.render());
                if (env.terminal() && previousLines > 0) {
                    env.out().print("\033[" + previousLines + "A\033[J"); // cursor up, clear to end of screen
                } else if (i > 0) {
                    env.out().println();
                }
                env.out().print(frame);
                previousLines = lines(frame);
            }
            env.out().flush();
            if (i + 1 < count) {
                Duration wait = interval.minus(result.elapsed());
                try {
                    env.sleeper().sleep(wait.isNegative() ? Duration.ZERO : wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return code.code();
    }

    private static void print(CheckResult result, ProbeArguments args, Thresholds thresholds, ProbeEnvironment env,
            java.util.Map<String, String> history) {
        switch (args.mode()) {
            case JSON:
                env.out().println(JsonFormat.render(result));
                break;
            case NAGIOS:
                env.out().println(NagiosFormat.render(result, thresholds));
                break;
            case TABLE:
            default:
                env.out().print(TableFormat.render(result, thresholds, history));
        }
        env.out().flush();
    }

    private static int usageError(ProbeEnvironment env, String message) {
        env.err().println(ProbeCommand.NAME + ": " + message);
        env.err().print(ProbeCommand.usage());
        env.err().flush();
        return ExitCode.UNKNOWN.code();
    }

    private static int failure(ProbeEnvironment env, ProbeArguments args, String message) {
        String line = oneLine(message);
        if (args.mode() == ProbeArguments.OutputMode.NAGIOS) {
            env.out().println("NTP UNKNOWN: " + line);
            env.out().flush();
        }
        env.err().println(ProbeCommand.NAME + ": " + line);
        env.err().flush();
        return ExitCode.UNKNOWN.code();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    private static void close(NtpChecker checker, ProbeEnvironment env) {
        if (checker instanceof AutoCloseable) {
            try {
                ((AutoCloseable) checker).close();
            } catch (Exception e) {
                env.err().println(ProbeCommand.NAME + ": closing the checker failed: " + oneLine(e.toString()));
            }
        }
    }

    private static int lines(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private static String version() {
        String v = ProbeMain.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    /**
     * True when the check of {@code config} can run on the calling thread: one primary given as an IPv4 or IPv6
     * address, no fallback, no NTS. Then there is nothing to resolve (the system resolver parses the literal) and one
     * query, which the real client ends within the timeout (so within the check's deadline) by itself; NTS-KE, names
     * and several servers keep the executor, whose deadline cuts off a resolver or a server that takes too long.
     */
    static boolean onCallerThread(NtpConfig config) {
        if (config.primaries().size() != 1 || !config.fallbacks().isEmpty()) {
            return false;
        }
        dev.pintp.ntp.NtpServer server = config.primaries().get(0);
        return !(server.auth() instanceof dev.pintp.ntp.NtpAuth.Nts) && isAddress(server.host());
    }

    /** An IPv6 literal (a valid host with a colon, NtpServer's check) or a dotted quad of four decimal bytes. */
    static boolean isAddress(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        int parts = 0;
        int digits = 0;
        int value = 0;
        for (int i = 0; i <= host.length(); i++) {
            char c = i < host.length() ? host.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || value > 255) {
                    return false;
                }
                parts++;
                digits = 0;
                value = 0;
            } else if (c >= '0' && c <= '9' && digits < 3) {
                value = value * 10 + (c - '0');
                digits++;
            } else {
                return false;
            }
        }
        return parts == 4;
    }

    /**
     * Real checkers and real sleeping; a class rather than lambdas, which cost start-up time. A check that can run
     * on the calling thread ({@link #onCallerThread}) gets a direct executor: no thread pool, no thread started, no
     * hand-over of the resolution and the query to it (docs/cost.md).
     */
    private static final class Production implements ProbeEnvironment.CheckerFactory, ProbeEnvironment.Sleeper,
            java.util.concurrent.Executor {
        @Override
        public NtpChecker create(NtpConfig config) {
            if (onCallerThread(config)) {
                return NtpChecker.custom(config).executor(this).build();
            }
            return NtpChecker.create(config);
        }

        /** The direct executor. */
        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public void sleep(Duration d) throws InterruptedException {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        }
    }

    private static String outputEncoding() {
        String enc = System.getProperty("sun.stdout.encoding");
        return enc != null ? enc : System.getProperty("native.encoding", Charset.defaultCharset().name());
    }

    private static boolean canEncodeBlocks() {
        try {
            return Charset.forName(outputEncoding()).newEncoder().canEncode("▁█·");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static PrintStream stream(FileDescriptor fd) {
        try {
            return new PrintStream(new BufferedOutputStream(new FileOutputStream(fd)), false, outputEncoding());
        } catch (UnsupportedEncodingException | RuntimeException e) {
            return new PrintStream(new BufferedOutputStream(new FileOutputStream(fd)), false);
        }
    }
}
