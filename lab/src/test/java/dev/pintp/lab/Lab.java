package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pintp.ntp.testkit.Ci;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * One run of the lab, driven through its shell scripts ({@code lab/bin}). {@link #up()} brings it up with a watchdog
 * on this JVM, so even a SIGKILLed test run leaves nothing; {@link #close()} tears it down and checks that nothing of
 * the run is left.
 */
final class Lab implements AutoCloseable {
    static final Path BIN = Path.of(System.getProperty("lab.bin", "bin")).toAbsolutePath();
    static final Path JAR = Path.of(System.getProperty("lab.jar", "target/ntp-lab.jar")).toAbsolutePath();
    static final Path RUN_BASE = Path.of("/run/pintplab");

    final String id;
    private boolean closed;

    private Lab(String id) {
        this.id = id;
    }

    /** Output of a finished command. */
    record Result(int exit, String out, String err) {
        Result ok() {
            if (exit != 0) {
                fail("exit " + exit + "\nstdout: " + out + "\nstderr: " + err);
            }
            return this;
        }
    }

    /** Why the lab cannot run on this machine ("not root,missing faketime"), or empty when it can. */
    static String whyNot() {
        Result r = run(Duration.ofSeconds(10), "bash", "-c", ". \"$1\"; lab_missing", "lab", BIN.resolve("lab-lib.sh").toString());
        return r.out.strip();
    }

    /** Skips the calling test class loudly, naming the reason, when the lab cannot run here. */
    static void assumeLabCanRun() {
        String why = whyNot();
        if (!why.isEmpty()) {
            loudSkip(why);
        }
        if (!Files.isRegularFile(JAR)) {
            loudSkip("missing " + JAR + " (run the package phase of the lab module)");
        }
    }

    /**
     * Skips the calling test with a banner; under CI ({@link Ci}) fails instead: .ci/run installs and prepares
     * everything the lab needs (scripts/install-test-deps), so a skip there is a missing set-up step, never a pass.
     */
    static void loudSkip(String why) {
        banner(why);
        failUnderCi(Ci.active(), why);
        Assumptions.abort("lab skipped: " + why);
    }

    /** Fails, naming {@code why}, when {@code ci}: the rule of {@link #loudSkip} for a lab that cannot run. */
    static void failUnderCi(boolean ci, String why) {
        if (ci) {
            fail("CI is set and a lab test could not run (scripts/install-test-deps prepares what it needs): " + why);
        }
    }

    static void banner(String why) {
        System.err.println();
        System.err.println("##############################################################");
        System.err.println("## LAB TESTS SKIPPED: " + why);
        System.err.println("## (they need root, chronyd, faketime, systemd-nspawn, tc, ntpdig)");
        System.err.println("##############################################################");
    }

    static Lab up() {
        return up(ProcessHandle.current().pid());
    }

    static Lab up(long watchPid) {
        return up(watchPid, java.util.Map.of());
    }

    /**
     * A lab whose main Pi boots on another Debian root: {@code env} is lab-up's extra environment, e.g.
     * {@code LAB_LOWER=/var/cache/pintp-lab/trixie-root} (bin/lab-container).
     */
    static Lab up(long watchPid, java.util.Map<String, String> env) {
        Result r = run(Duration.ofSeconds(120), env, BIN.resolve("lab-up").toString(), "--watch-pid", Long.toString(watchPid));
        Matcher m = Pattern.compile("LAB_RUN_ID=([a-z0-9]+)").matcher(r.out);
        if (r.exit != 0 || !m.find()) {
            fail("lab-up failed, exit " + r.exit + "\n" + r.err);
        }
        return new Lab(m.group(1));
    }

    Result ctl(String... args) {
        return ctl(Duration.ofSeconds(120), args);
    }

    Result ctl(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of(BIN.resolve("lab-ctl").toString(), id));
        cmd.addAll(List.of(args));
        return run(timeout, cmd.toArray(String[]::new));
    }

    /** Runs a command in the main Pi container. */
    Result inMain(String... cmd) {
        List<String> args = new ArrayList<>(List.of("main"));
        args.addAll(List.of(cmd));
        return ctl(args.toArray(String[]::new));
    }

    /** Runs a shell command line in the main Pi container. */
    Result shMain(String script) {
        return inMain("sh", "-c", script);
    }

    /** Runs a command in a lab host's network namespace. */
    Result inNs(String host, String... cmd) {
        List<String> args = new ArrayList<>(List.of("ns", host));
        args.addAll(List.of(cmd));
        return ctl(args.toArray(String[]::new));
    }

    /** Path on the host of a file inside the container (through its overlay mount). */
    Path containerPath(String absolute) {
        return RUN_BASE.resolve("pintplab-" + id).resolve("container/root" + absolute);
    }

    int controllerStarts() {
        Path starts = containerPath("/var/lib/pintp-lab/starts");
        try {
            return Files.exists(starts) ? Integer.parseInt(Files.readString(starts).strip()) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment the controller stand-in got at its latest start. */
    String controllerEnv() {
        try {
            return Files.readString(containerPath("/var/lib/pintp-lab/env." + controllerStarts()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Result r = run(Duration.ofSeconds(120), BIN.resolve("lab-down").toString(), id);
        assertEquals(0, r.exit, "lab-down: " + r.err);
        assertNothingLeft(id);
    }

    /** Fails unless no namespace, mount, /etc/netns entry, run directory or live server process of the run is left. */
    static void assertNothingLeft(String id) {
        List<String> left = leftovers(id);
        if (!left.isEmpty()) {
            fail("lab run " + id + " left behind: " + left);
        }
    }

    static List<String> leftovers(String id) {
        String prefix = "pintplab-" + id;
        List<String> left = new ArrayList<>();
        Result ns = run(Duration.ofSeconds(10), "ip", "netns", "list");
        ns.out.lines().filter(l -> l.startsWith(prefix + "-")).forEach(l -> left.add("namespace " + l));
        try {
            Files.readAllLines(Path.of("/proc/mounts")).stream().filter(l -> l.contains(prefix))
                    .forEach(l -> left.add("mount " + l));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (Files.exists(Path.of("/etc/netns", prefix + "-main"))) {
            left.add("/etc/netns/" + prefix + "-main");
        }
        for (String hierarchy : new String[] {"", "systemd/", "unified/"}) {
            Path cgroup = Path.of("/sys/fs/cgroup/" + hierarchy + prefix);
            if (Files.exists(cgroup)) {
                left.add("cgroup " + cgroup);
            }
        }
        if (Files.exists(RUN_BASE.resolve(prefix))) {
            left.add(RUN_BASE.resolve(prefix).toString());
        }
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(prefix))
                .filter(ProcessHandle::isAlive)
                .forEach(p -> left.add("process " + p.pid() + " " + p.info().commandLine().orElse("")));
        return left;
    }

    /** Polls {@code condition} every 200 ms until it holds or {@code timeout} passes; returns whether it held. */
    static boolean await(Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > end) {
                return false;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    static Result run(Duration timeout, String... cmd) {
        return run(timeout, java.util.Map.of(), cmd);
    }

    static Result run(Duration timeout, java.util.Map<String, String> env, String... cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                fail("timed out after " + timeout + ": " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
