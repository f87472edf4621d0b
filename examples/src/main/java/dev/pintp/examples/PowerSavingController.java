package dev.pintp.examples;

import dev.pintp.ntp.MonitorStatus;
import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpMonitor;
import dev.pintp.ntp.NtpMonitorListener;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A controller that embeds {@link NtpMonitor} and switches its power-saving mode live when the verified state of the
 * clock changes: no restart of the service, no environment variables. Copy it into a controller and replace
 * {@link #apply(PowerMode)} with the real switch.
 *
 * <p>Run: {@code java -cp examples.jar dev.pintp.examples.PowerSavingController [primary[:port] [fallback ...]]};
 * without arguments it uses the defaults (192.168.4.2, then the Debian pool).
 */
public final class PowerSavingController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PowerSavingController.class);

    /** How hard the controller saves power; graduated by the verified sync quality. */
    public enum PowerMode {
        /** Time not verified: no power saving (keep every timer and radio as it is). */
        FULL_POWER,
        /** Verified, loosely: save a little. */
        SAVE_LOW,
        /** Verified, moderately tight. */
        SAVE_MEDIUM,
        /** Verified tightly: save the most. */
        SAVE_HIGH
    }

    private final NtpMonitor monitor;
    private final AtomicReference<PowerMode> mode = new AtomicReference<>(PowerMode.FULL_POWER);

    /** A controller driven by {@code monitor}; starts in {@link PowerMode#FULL_POWER}. Does not start the monitor. */
    public PowerSavingController(NtpMonitor monitor) {
        this.monitor = Objects.requireNonNull(monitor, "monitor");
        monitor.addListener(new NtpMonitorListener() {
            @Override
            public void onVerdictChange(MonitorStatus previous, MonitorStatus current) {
                apply(modeFor(current));
            }
        });
    }

    /** The mode for a monitor status: full power unless the stable verdict is synced to a primary, then by quality level. */
    public static PowerMode modeFor(MonitorStatus status) {
        if (!status.maySavePower()) {
            return PowerMode.FULL_POWER;
        }
        return switch (status.quality()) {
            case HIGH -> PowerMode.SAVE_HIGH;
            case MEDIUM -> PowerMode.SAVE_MEDIUM;
            case LOW -> PowerMode.SAVE_LOW;
            case NONE -> PowerMode.FULL_POWER;
        };
    }

    /** Starts monitoring; the mode follows from the first checks on. */
    public PowerSavingController start() {
        monitor.start();
        return this;
    }

    /** The mode now. Thread-safe. */
    public PowerMode mode() {
        return mode.get();
    }

    /** Switches to {@code next}; called on the monitor's thread. A real controller changes its timers here. */
    void apply(PowerMode next) {
        PowerMode before = mode.getAndSet(next);
        if (before != next) {
            MonitorStatus s = monitor.current();
            LOG.info("power mode {} -> {} (verdict {}, server {}, level {})", before, next, s.verdict(),
                    s.server().orElse("-"), s.quality().level());
        }
    }

    /** Stops the monitor. */
    @Override
    public void close() {
        monitor.close();
    }

    /** The configuration for command-line {@code args}: the first is the primary, the rest fallbacks. */
    static NtpConfig configFrom(String[] args) {
        if (args.length == 0) {
            return NtpConfig.ofDefaults();
        }
        return NtpConfig.custom()
                .primaryHosts(args[0])
                .fallbackHosts(Arrays.copyOfRange(args, 1, args.length))
                .build();
    }

    /** Runs until the process is stopped. */
    public static void main(String[] args) throws InterruptedException {
        NtpConfig config = configFrom(args);
        try (PowerSavingController controller = new PowerSavingController(NtpMonitor.create(config))) {
            controller.start();
            LOG.info("controller running with {}", config);
            new CountDownLatch(1).await();
        }
    }
}
