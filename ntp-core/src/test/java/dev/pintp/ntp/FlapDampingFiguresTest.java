package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * The figures of issue 9 with the default flap damping and a check every 60 s, on a monitor driven by a manual
 * scheduler and a fake clock (no sleeps): stable-state changes (controller restarts) and minutes of power saving.
 * Prints them; {@code mvn -o -B -q -pl ntp-core -am test -Dtest=FlapDampingFiguresTest
 * -Dsurefire.failIfNoSpecifiedTests=false} shows the lines starting with {@code FLAP}.
 */
class FlapDampingFiguresTest {
    final NtpConfig config = NtpConfig.custom().primaryHosts("192.0.2.2").fallbacks(List.of()).build();

    /** What a run of the monitor cost: the minutes (check numbers) of each change, and the minutes of power saving. */
    record Run(List<Integer> changes, int savingMinutes) {
    }

    /** Runs {@code minutes} checks one minute apart; {@code up} says whether check {@code i} finds the Pi Zero. */
    Run run(SyncState start, int minutes, IntPredicate up) {
        MutableClock clock = new MutableClock(Fixtures.T0);
        ManualScheduler scheduler = new ManualScheduler();
        int[] minute = {0};
        NtpChecker checker = () -> up.test(minute[0]) ? Fixtures.primaryCheck(config, clock.instant(), Duration.ZERO)
                : Fixtures.deadCheck(config, clock.instant());
        List<Integer> changes = new ArrayList<>();
        int saving = 0;
        try (NtpMonitor m = NtpMonitor.custom(config).checker(checker).clock(clock).scheduler(scheduler)
                .ticker(() -> 0).initialState(start).build().start()) {
            for (minute[0] = 0; minute[0] < minutes; minute[0]++) {
                assertEquals(1, scheduler.runDue());
                boolean after = m.current().maySavePower();
                if (m.current().state().changed()) {
                    changes.add(minute[0]);
                }
                saving += after ? 1 : 0; // the state after this check holds until the next one, a minute later
                clock.advance(Duration.ofMinutes(1));
            }
        }
        return new Run(changes, saving);
    }

    SyncState longSynced() {
        return SyncState.stableSince(new SyncState.Observation(Verdict.PRIMARY_SYNCED, java.util.Optional.of(
                "192.0.2.2"), SyncQuality.HIGH), Fixtures.T0.minus(Duration.ofDays(1)));
    }

    @Test
    void aPiZeroUpAndDownOnAlternateMinutesCostsAtMostSixRestartsAnHourAndPowerSavingIsOffMostOfIt() {
        // from a boot (first check up) and from a long synced state (first check down)
        Run fromBoot = run(SyncState.initial(), 60, i -> i % 2 == 0);
        Run fromSynced = run(longSynced(), 60, i -> i % 2 == 1);
        System.out.println("FLAP alternate minutes, 60 checks from boot: " + fromBoot.changes().size()
                + " restarts at minutes " + fromBoot.changes() + ", power saving " + fromBoot.savingMinutes()
                + " of 60 min");
        System.out.println("FLAP alternate minutes, 60 checks after a long synced time: " + fromSynced.changes().size()
                + " restarts at minutes " + fromSynced.changes() + ", power saving " + fromSynced.savingMinutes()
                + " of 60 min");
        for (Run r : List.of(fromBoot, fromSynced)) {
            assertTrue(r.changes().size() <= 6, "restarts in the hour: " + r.changes());
            assertTrue(r.savingMinutes() <= 10, "power saving on for " + r.savingMinutes() + " min");
        }
        // and no hour of three hours' flapping has more
        Run long3h = run(SyncState.initial(), 180, i -> i % 2 == 0);
        int worst = 0;
        for (int w = 0; w + 60 <= 180; w++) {
            int from = w;
            worst = Math.max(worst, (int) long3h.changes().stream().filter(c -> c >= from && c < from + 60).count());
        }
        System.out.println("FLAP alternate minutes for 3 h: at most " + worst + " restarts in any 60 min, "
                + long3h.changes().size() + " in all, power saving " + long3h.savingMinutes() + " of 180 min");
        assertTrue(worst <= 6, "worst hour: " + worst + " " + long3h.changes());
    }

    @Test
    void aSingleOutageCostsExactlyTwoRestartsAndIsRegainedAtTheFirstGoodCheck() {
        // down at minutes 10..14, up again from 15
        Run r = run(longSynced(), 60, i -> i < 10 || i >= 15);
        System.out.println("FLAP single 5-minute outage: " + r.changes().size() + " restarts at minutes "
                + r.changes() + " (down 10..14, first good check 15)");
        assertEquals(List.of(10, 15), r.changes());
        // the original design's procedures after a boot: available, NTP stopped, recovered
        Run procedures = run(SyncState.initial(), 6, i -> i < 2 || i >= 4);
        System.out.println("FLAP boot, outage at minutes 2..3: restarts at minutes " + procedures.changes());
        assertEquals(List.of(0, 2, 4), procedures.changes());
    }

    @Test
    void afterAnHourOfFlappingAStablePiZeroIsRegainedWithinTheMaximumSuppression() {
        Run r = run(SyncState.initial(), 240, i -> i >= 60 || i % 2 == 0);
        int regained = r.changes().stream().filter(c -> c >= 60).findFirst().orElse(-1);
        System.out.println("FLAP after 60 min of flapping, power saving back at minute " + regained);
        assertTrue(regained >= 60 && regained <= 60 + 60, "regained at " + regained);
    }
}
