package dev.pintp.systemd.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve}: the resident daemon of the default install. It runs one check per request that comes through its
 * {@link ControlChannel} (ntp-monitor.service's client, started by ntp-monitor.timer or by hand), one at a time, with
 * the check's journal lines and exit status sent back to that client, so that they show under ntp-monitor.service.
 * When no request came for {@code idle} (Interval plus a margin: ntp-monitor.timer stopped or failing), it checks on
 * its own and logs to its own unit: the time stays watched, so power saving is never kept on an unchecked grant.
 * Run, stop and shutdown as {@link DaemonLoop}.
 */
public final class CheckServer extends DaemonLoop {
    private static final Logger LOG = LoggerFactory.getLogger("ntp-monitor");

    private final ControlChannel channel;
    private final IntSupplier check;
    private final Supplier<Duration> idle;
    private final Router router;
    private final java.util.function.BooleanSupplier replaced;

    /**
     * @param check one check that fails closed itself (its status: 0 done, 1 failed closed or systemctl failed, 2
     *     configuration error); called on the serving thread
     * @param idle how long to wait for a request before checking without one; read before every wait
     * @param router the journal stream the check's lines go through ({@link JournalSink#configure})
     * @param replaced asked after every check: true when the code this daemon runs was replaced on disk (an upgrade
     *     or a new install); the daemon then ends with {@link #REPLACED} for its unit's {@code Restart=on-failure}
     */
    public CheckServer(ControlChannel channel, IntSupplier check, Supplier<Duration> idle, Router router,
            java.util.function.BooleanSupplier replaced) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.check = Objects.requireNonNull(check, "check");
        this.idle = Objects.requireNonNull(idle, "idle");
        this.router = Objects.requireNonNull(router, "router");
        this.replaced = Objects.requireNonNull(replaced, "replaced");
    }

    /** A daemon that never finds its code replaced. */
    public CheckServer(ControlChannel channel, IntSupplier check, Supplier<Duration> idle, Router router) {
        this(channel, check, idle, router, () -> false);
    }

    /** {@link #run}'s status when the jar was replaced: not 0, so that systemd starts the daemon again. */
    public static final int REPLACED = 3;

    /** Serves until {@link #stop}; returns 0, or {@link #REPLACED}. */
    @Override
    int loop() throws InterruptedException {
        LOG.info("daemon started: a check for each request in {}, and on its own after {} s without one",
                channel.directory(), idle.get().toSeconds());
        while (!channel.isClosed()) {
            Duration wait = idle.get();
            Optional<String> id = channel.take(wait);
            if (channel.isClosed()) {
                break;
            }
            if (id.isEmpty()) {
                LOG.warn("no check was requested for {} s (is ntp-monitor.timer stopped?): checking without a"
                        + " request", wait.toSeconds());
                checkOnce();
                if (replaced()) {
                    return REPLACED;
                }
                continue;
            }
            ControlChannel.Reply reply;
            try {
                reply = channel.reply(id.get());
            } catch (IOException | RuntimeException e) {
                LOG.warn("request {} not served, its reply FIFO is not usable: {}", id.get(),
                        FailSafe.describe(e));
                continue;
            }
            router.to(reply);
            int status = 1;
            try {
                status = checkOnce();
            } finally {
                router.to(null);
                reply.finish(status);
            }
            if (replaced()) {
                return REPLACED;
            }
        }
        return 0;
    }

    private boolean replaced() {
        if (replaced.getAsBoolean()) {
            LOG.info("the jar was replaced: ending, to be started again with the new one");
            return true;
        }
        return false;
    }

    private int checkOnce() {
        try {
            return check.getAsInt();
        } catch (RuntimeException e) {
            LOG.error("run failed: unexpected {}", e.toString()); // the check fails closed itself; a last resort
            return 1;
        }
    }

    /** Serving ends after the current check: the request channel is closed. */
    @Override
    void requestStop() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing the request channel: {}", e.toString());
        }
    }

    /**
     * The journal stream of the daemon: while a request is served, every line goes to that request's reply (as it
     * is, with its {@code <N>} priority prefix), but for the request reader's own; otherwise to the daemon's own output, where the prefix is kept only
     * when that output is the journal. {@link JournalSink} writes lines with {@link #println(String)}.
     */
    public static final class Router extends PrintStream {
        private final PrintStream own;
        private final boolean ownIsJournal;
        private ControlChannel.Reply reply;

        /** Lines outside a request go to {@code own}; {@code ownIsJournal}: keep their priority prefix there. */
        public Router(PrintStream own, boolean ownIsJournal) {
            super(OutputStream.nullOutputStream());
            this.own = Objects.requireNonNull(own, "own");
            this.ownIsJournal = ownIsJournal;
        }

        synchronized void to(ControlChannel.Reply r) {
            reply = r;
        }

        @Override
        public synchronized void println(String line) {
            if (reply != null && !Thread.currentThread().getName().equals(ControlChannel.READER)) {
                reply.line(line);
                return;
            }
            String l = line;
            if (!ownIsJournal && l.length() >= 3 && l.charAt(0) == '<' && l.charAt(2) == '>') {
                l = l.substring(3);
            }
            own.println(l);
            own.flush();
        }

        @Override
        public void flush() {
            own.flush();
        }
    }
}
