package dev.pintp.systemd.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code status}: the job's state, last check, drop-in, the controller's environment and the timer, on one screen. */
public final class StatusReport {
    private StatusReport() {
    }

    /** Prints the report; systemctl failures are shown in place of the value, never thrown. */
    public static void print(Settings settings, Path root, Systemctl systemctl, PrintStream out) throws IOException {
        StateStore store = new StateStore(Settings.under(root, settings.stateDirectory()),
                Settings.under(root, settings.runtimeDirectory()), new AtomicFiles());
        JobState state;
        String stateProblem = "";
        try {
            StateStore.Loaded loaded = store.peek(); // status moves nothing; the next run does
            state = loaded.state();
            if (!loaded.problems().isEmpty()) {
                stateProblem = " (" + String.join(", ", loaded.problems()) + "; the next run moves it aside)";
            }
        } catch (IOException e) {
            state = JobState.initial();
            stateProblem = " (" + FailSafe.describe(e) + ")";
        }
        out.println("stable state:  " + CheckText.stable(state.sync())
                + state.sync().since().map(s -> " since " + s).orElse("") + stateProblem);
        if (state.sync().penalty() > 0) {
            out.println("flap damping:  penalty " + Math.round(state.sync().penalty()) + " as of "
                    + state.sync().penaltyAt().map(Object::toString).orElse("-")
                    + state.sync().suppressedUntil(settings.ntp()).map(t -> ", regaining suppressed until " + t)
                            .orElse(""));
        }
        Optional<String> last;
        try {
            last = store.loadLastCheck();
        } catch (IOException e) {
            last = Optional.of("result=unreadable (" + FailSafe.describe(e) + ")\n");
        }
        if (last.isPresent()) {
            Map<String, String> kv = ProcessSystemctl.parseShow(last.get());
            out.println("last check:    " + kv.getOrDefault("checked_at", "?") + " " + kv.getOrDefault("result", ""));
            String check = kv.getOrDefault("check", "");
            if (!check.isEmpty() && !check.equals("-")) { // "-": a failed run made no check
                out.println("               " + check);
            }
        } else {
            out.println("last check:    none since boot");
        }
        Path dropIn = settings.dropInFile();
        Optional<String> content;
        String unreadable = "";
        try {
            content = AtomicFiles.read(Settings.under(root, dropIn));
        } catch (IOException e) {
            content = Optional.empty();
            unreadable = " (unreadable: " + FailSafe.describe(e) + "; the next run replaces it)";
        }
        out.println("drop-in:       " + dropIn + (!unreadable.isEmpty() ? unreadable
                : content.isPresent() ? "" : " (absent: no power saving)"));
        content.ifPresent(c -> c.lines().filter(l -> l.startsWith("Environment=")).forEach(l -> out.println("               " + l)));
        Path steering = Settings.STEERING_DIR.resolve(Settings.STEERING_DROP_IN);
        boolean steered;
        try {
            steered = AtomicFiles.read(Settings.under(root, steering)).isPresent();
        } catch (IOException e) {
            steered = true; // something is there; the next run sorts it out
        }
        out.println("timesyncd:     " + (state.timesyncdAbsent() ? "not installed, not steered"
                : steered ? "steered to the fallbacks (" + steering + ")" : "on its configured servers"));
        out.println("controller:    " + show(systemctl, settings.targetUnit(), List.of("Environment", "ActiveState")));
        out.println("timer:         " + show(systemctl, "ntp-monitor.timer",
                List.of("ActiveState", "NextElapseUSecRealtime", "NextElapseUSecMonotonic", "LastTriggerUSec")));
    }

    private static String show(Systemctl systemctl, String unit, List<String> properties) {
        try {
            Map<String, String> values = systemctl.show(unit, properties);
            StringBuilder sb = new StringBuilder(unit);
            for (String p : properties) {
                String v = values.getOrDefault(p, "");
                if (!v.isEmpty() && !v.equals("0") && !v.equals("infinity")) {
                    sb.append("  ").append(p).append('=').append(v);
                }
            }
            return sb.toString();
        } catch (SystemctlException e) {
            return unit + "  (" + e.getMessage() + ")";
        }
    }
}
