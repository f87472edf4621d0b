package dev.pintp.systemd.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link Systemctl} that records each call as its command line and can be told to fail. */
final class RecordingSystemctl implements Systemctl {
    private final List<String> calls = new ArrayList<>();
    private final Map<String, Map<String, String>> units = new HashMap<>();
    private int failuresLeft;
    private String failOn = "";

    /** The calls so far, e.g. "daemon-reload", "try-restart controller.service". */
    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    /** Forgets the calls so far. */
    synchronized void clear() {
        calls.clear();
    }

    /** The next {@code n} calls whose command line starts with {@code prefix} fail. */
    synchronized RecordingSystemctl failNext(int n, String prefix) {
        failuresLeft = n;
        failOn = prefix;
        return this;
    }

    /** What {@code show UNIT} answers for a property. Units not set up are {@code LoadState=loaded}. */
    synchronized RecordingSystemctl property(String unit, String name, String value) {
        units.computeIfAbsent(unit, u -> new LinkedHashMap<>()).put(name, value);
        return this;
    }

    private synchronized void record(String call) throws SystemctlException {
        calls.add(call);
        if (failuresLeft > 0 && call.startsWith(failOn)) {
            failuresLeft--;
            throw new SystemctlException("systemctl " + call + ": exit status 1: Failed (scripted)");
        }
    }

    @Override
    public void daemonReload() throws SystemctlException {
        record("daemon-reload");
    }

    @Override
    public void tryRestart(String unit) throws SystemctlException {
        record("try-restart " + unit);
    }

    @Override
    public void start(String unit) throws SystemctlException {
        record("start " + unit);
    }

    @Override
    public void stop(String unit) throws SystemctlException {
        record("stop " + unit);
    }

    @Override
    public synchronized Map<String, String> show(String unit, List<String> properties) throws SystemctlException {
        record("show " + unit + " -p " + String.join(",", properties));
        Map<String, String> known = units.getOrDefault(unit, Map.of());
        Map<String, String> out = new LinkedHashMap<>();
        for (String p : properties) {
            out.put(p, known.getOrDefault(p, p.equals("LoadState") ? "loaded" : ""));
        }
        return out;
    }
}
