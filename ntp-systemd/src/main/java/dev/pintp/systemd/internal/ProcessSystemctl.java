package dev.pintp.systemd.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link Systemctl} that runs the {@code systemctl} binary, without a shell, every unit name after {@code --} (a
 * configured unit such as {@code -H host.service} is a name, never an option). Each call waits at most the configured timeout (default
 * 30 s: a restart job waits for the unit to stop and start) and kills the process after it.
 */
public final class ProcessSystemctl implements Systemctl {
    private final String binary;
    private final Duration timeout;

    /** Runs {@code binary} (normally "systemctl") with the given per-call timeout. */
    public ProcessSystemctl(String binary, Duration timeout) {
        this.binary = Objects.requireNonNull(binary, "binary");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** {@code systemctl} from the PATH, 30 s per call. */
    public static ProcessSystemctl ofDefaults() {
        return new ProcessSystemctl("systemctl", Duration.ofSeconds(30));
    }

    @Override
    public void daemonReload() throws SystemctlException {
        run(List.of("daemon-reload"));
    }

    @Override
    public void tryRestart(String unit) throws SystemctlException {
        run(List.of("try-restart", "--", unit));
    }

    @Override
    public void start(String unit) throws SystemctlException {
        run(List.of("start", "--", unit));
    }

    @Override
    public void stop(String unit) throws SystemctlException {
        run(List.of("stop", "--", unit));
    }

    @Override
    public Map<String, String> show(String unit, List<String> properties) throws SystemctlException {
        String out = run(List.of("show", "-p", String.join(",", properties), "--", unit));
        return parseShow(out);
    }

    /** Parses {@code KEY=VALUE} lines of {@code systemctl show}; lines without '=' are ignored. */
    static Map<String, String> parseShow(String out) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                map.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return map;
    }

    private String run(List<String> args) throws SystemctlException {
        List<String> command = new ArrayList<>();
        command.add(binary);
        command.addAll(args);
        String line = Render.printable(String.join(" ", command));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new SystemctlException(line + ": cannot run: " + e.getMessage(), e);
        }
        // The output is small; it is read on this thread while a watchdog kills the process (and anything it
        // started, which would keep the pipe open) once the timeout has passed.
        AtomicBoolean timedOut = new AtomicBoolean();
        Thread watchdog = new Thread(() -> {
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    timedOut.set(true);
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "systemctl-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            if (timedOut.get()) {
                throw new SystemctlException(line + ": no answer within " + timeout.toMillis() + " ms, killed");
            }
            if (p.exitValue() != 0) {
                throw new SystemctlException(line + ": exit status " + p.exitValue() + ": " + out.strip());
            }
            return out;
        } catch (IOException e) {
            p.destroyForcibly();
            if (timedOut.get()) {
                // killing the process closes its streams: the read fails with "Stream closed", the timeout is the cause
                throw new SystemctlException(line + ": no answer within " + timeout.toMillis() + " ms, killed", e);
            }
            throw new SystemctlException(line + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SystemctlException(line + ": interrupted", e);
        } finally {
            watchdog.interrupt();
        }
    }
}
