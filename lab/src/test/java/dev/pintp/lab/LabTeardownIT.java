package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The lab leaves nothing behind: after lab-down, after its owner is SIGKILLed, after lab-up is interrupted. */
@Tag("lab")
@ExtendWith(LabAvailable.class)
class LabTeardownIT {

    @BeforeAll
    static void canRun() {
        Lab.assumeLabCanRun();
    }

    @Test
    void labDownRemovesNamespacesMountsContainerAndServers() {
        Lab lab = Lab.up();
        assertFalse(Lab.leftovers(lab.id).isEmpty(), "the lab was not up");
        lab.close(); // asserts nothing is left
    }

    @Test
    void ownerKilledWithSigkillStillLeavesNothing() throws IOException {
        Process owner = new ProcessBuilder("sleep", "600").start();
        Lab lab = Lab.up(owner.pid());
        assertFalse(Lab.leftovers(lab.id).isEmpty());
        owner.destroyForcibly();
        assertTrue(Lab.await(Duration.ofSeconds(30), () -> Lab.leftovers(lab.id).isEmpty()),
                () -> "watchdog did not tear down: " + Lab.leftovers(lab.id));
    }

    @Test
    void interruptedLabUpTearsDownWhatItBuilt() throws Exception {
        Process up = new ProcessBuilder(Lab.BIN.resolve("lab-up").toString(), "--run-id", "intr" + (System.nanoTime() % 1000))
                .redirectErrorStream(true).start();
        String id = ((java.util.function.Supplier<String>) () -> null).get();
        List<String> cmd = List.of("ip", "netns", "list");
        Pattern ours = Pattern.compile("pintplab-(intr[0-9]+)-pizero");
        String[] found = new String[1];
        assertTrue(Lab.await(Duration.ofSeconds(30), () -> {
            Matcher m = ours.matcher(Lab.run(Duration.ofSeconds(5), cmd.toArray(String[]::new)).out());
            if (m.find()) {
                found[0] = m.group(1);
                return true;
            }
            return false;
        }), "lab-up never created its namespaces");
        id = found[0];
        up.destroy(); // SIGTERM, as a Ctrl-C or a CI timeout would
        assertTrue(up.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(up.exitValue() != 0);
        String runId = id;
        assertTrue(Lab.await(Duration.ofSeconds(30), () -> Lab.leftovers(runId).isEmpty()),
                () -> "left after interrupted lab-up: " + Lab.leftovers(runId));
    }

    @Test
    void labDownRemovesStaleObjectsOfAKilledRun() {
        String id = "stale" + (System.nanoTime() % 100);
        String prefix = "pintplab-" + id;
        Lab.run(Duration.ofSeconds(10), "ip", "netns", "add", prefix + "-pizero").ok();
        Lab.run(Duration.ofSeconds(10), "mkdir", "-p", "/etc/netns/" + prefix + "-main", "/run/pintplab/" + prefix + "/hosts").ok();
        assertEquals(4, Lab.leftovers(id).size(), Lab.leftovers(id).toString()); // namespace + its nsfs mount
        Lab.run(Duration.ofSeconds(60), Lab.BIN.resolve("lab-down").toString(), id).ok();
        Lab.assertNothingLeft(id);
    }
}
