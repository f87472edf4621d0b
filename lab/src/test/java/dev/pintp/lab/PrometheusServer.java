package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's real {@code prometheus} binary, started by a test in a lab host's network namespace (never the package's
 * service): its own {@code --config.file} and {@code --storage.tsdb.path} in a temporary directory named for the lab
 * run (so {@link Lab#assertNothingLeft} would also name a server left running), listening on 127.0.0.1:9090 inside
 * that namespace. Its HTTP API is read with curl in the same namespace. {@link #close()} stops it (SIGTERM, then
 * SIGKILL after 30 s) and removes its directory; close it before the lab.
 */
final class PrometheusServer implements AutoCloseable {
    static final String LISTEN = "127.0.0.1:9090";

    private final Lab lab;
    private final String host;
    private final Path dir;
    private final Process process;

    /**
     * Writes {@code config} (a prometheus.yml; {@code @DIR@} in it stands for the server's directory) and
     * {@code files} (name to text) into a new directory and starts Prometheus in {@code host}'s namespace; returns
     * once it answers {@code /-/ready}.
     */
    PrometheusServer(Lab lab, String host, String config, Map<String, String> files) {
        this.lab = lab;
        this.host = host;
        Process started = null;
        Path made = null;
        try {
            made = Files.createTempDirectory("pintplab-" + lab.id + "-prometheus-");
            for (Map.Entry<String, String> f : files.entrySet()) {
                Files.writeString(made.resolve(f.getKey()), f.getValue());
            }
            Files.writeString(made.resolve("prometheus.yml"), config.replace("@DIR@", made.toString()));
            ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", "pintplab-" + lab.id + "-" + host,
                    "prometheus", "--config.file=" + made.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + made.resolve("data"), "--web.listen-address=" + LISTEN);
            pb.redirectErrorStream(true).redirectOutput(made.resolve("prometheus.log").toFile());
            started = pb.start();
            started.getOutputStream().close();
        } catch (IOException | RuntimeException e) {
            stop(started, made);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        this.dir = made;
        this.process = started;
        boolean ready = Lab.await(Duration.ofSeconds(60), () -> !process.isAlive()
                || curl("http://" + LISTEN + "/-/ready").exit() == 0);
        if (!ready || !process.isAlive()) {
            String log = log();
            close();
            fail("Prometheus did not become ready (" + (process.isAlive() ? "60 s" : "it exited") + "):\n" + log);
        }
    }

    /** {@code GET /api/v1/PATH} with the form parameters {@code params} (name, value, ...); its {@code data}. */
    Object api(String path, String... params) {
        List<String> cmd = new ArrayList<>(List.of("-G", "http://" + LISTEN + "/api/v1/" + path));
        for (int i = 0; i < params.length; i += 2) {
            cmd.add("--data-urlencode");
            cmd.add(params[i] + "=" + params[i + 1]);
        }
        Lab.Result r = curl(cmd.toArray(String[]::new));
        assertEquals(0, r.exit(), "curl /api/v1/" + path + ": " + r.err() + r.out());
        Map<String, Object> answer = Json.object(Json.parse(r.out()));
        assertEquals("success", answer.get("status"), "/api/v1/" + path + " " + List.of(params) + ": " + r.out());
        return answer.get("data");
    }

    /** An instant query's result vector: each element's labels and its value. */
    List<Sample> query(String promql) {
        Map<String, Object> data = Json.object(api("query", "query", promql));
        assertEquals("vector", data.get("resultType"), promql);
        List<Sample> out = new ArrayList<>();
        for (Object o : Json.array(data.get("result"))) {
            Map<String, Object> e = Json.object(o);
            Map<String, String> labels = new java.util.TreeMap<>();
            Json.object(e.get("metric")).forEach((k, v) -> labels.put(k, (String) v));
            out.add(new Sample(labels, Double.parseDouble((String) Json.array(e.get("value")).get(1))));
        }
        return out;
    }

    /** One element of a query's result. */
    record Sample(Map<String, String> labels, double value) {
    }

    /** The state ({@code inactive}, {@code pending}, {@code firing}) of alerting rule {@code alert} in {@code group}. */
    String alertState(String group, String alert) {
        for (Object g : Json.array(Json.object(api("rules", "type", "alert")).get("groups"))) {
            Map<String, Object> gm = Json.object(g);
            if (!group.equals(gm.get("name"))) {
                continue;
            }
            for (Object r : Json.array(gm.get("rules"))) {
                Map<String, Object> rule = Json.object(r);
                if (alert.equals(rule.get("name"))) {
                    assertEquals("ok", rule.get("health"), "rule " + group + "/" + alert + ": " + rule);
                    return (String) rule.get("state");
                }
            }
        }
        fail("no alerting rule " + alert + " in group " + group + ": " + api("rules", "type", "alert"));
        return null;
    }

    /** What the server logged so far. */
    String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private Lab.Result curl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10"));
        cmd.addAll(List.of(args));
        return lab.inNs(host, cmd.toArray(String[]::new));
    }

    @Override
    public void close() {
        stop(process, dir);
    }

    private static void stop(Process p, Path dir) {
        try {
            if (p != null) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "Prometheus did not exit after SIGKILL");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        } finally {
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
