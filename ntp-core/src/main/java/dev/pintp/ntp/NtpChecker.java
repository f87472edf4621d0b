package dev.pintp.ntp;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Runs one check: resolves names and queries every primary and fallback concurrently under one deadline
 * ({@link NtpConfig#checkDeadline()}), validates, detects falsetickers, selects a source and gives the verdict.
 * Thread-safe, but checks of one checker are meant to run one at a time (a second concurrent check waits for the
 * first). A checker keeps Kiss-o'-Death and circuit-breaker backoff between its checks ({@link #backoffState()}).
 */
public interface NtpChecker {

    /** Checks all configured sources once. Never throws for anything a server, the resolver or the network does. */
    CheckResult check();

    /**
     * The backoff after the last check (or the initial state before the first one), to persist between processes.
     * A checker that keeps no backoff returns {@link BackoffState#empty()}. Never null; never throws.
     */
    default BackoffState backoffState() {
        return BackoffState.empty();
    }

    /** A checker on real UDP sockets, the system resolver, the system clock and an empty backoff state. */
    static NtpChecker create(NtpConfig config) {
        return custom(config).build();
    }

    /** A builder for a checker of {@code config}; every seam defaults to the real thing. */
    static Builder custom(NtpConfig config) {
        return new Builder(config);
    }

    /** Builder of a checker. Not thread-safe. */
    final class Builder {
        private final NtpConfig config;
        private SntpClient client;
        private NameResolver resolver = NameResolver.system();
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.system();
        private Executor executor;
        private BackoffState backoffState = BackoffState.empty();

        private Builder(NtpConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The SNTP client; default {@link SntpClient#ofDefaults()}. */
        public Builder sntpClient(SntpClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /** The name resolver; default {@link NameResolver#system()}. Called under the check's deadline. */
        public Builder resolver(NameResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /** Wall clock for backoff instants and {@link CheckResult#checkedAt()}; default UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Elapsed-time source for the deadline and {@link CheckResult#elapsed()}; default {@link Ticker#system()}. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Runs name resolutions and queries, one task per name and per address. Default: a shared pool of daemon
         * threads that grows with the number of sources and keeps idle threads for 5 minutes. With a direct executor
         * ({@code Runnable::run}) everything runs on the caller's thread, one after another, and the deadline only
         * cuts off tasks that have not started yet: fine for tests with fakes.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** The backoff to start from, for example decoded from the previous process's file; default empty. */
        public Builder backoffState(BackoffState state) {
            this.backoffState = Objects.requireNonNull(state, "state");
            return this;
        }

        /** The checker. */
        public NtpChecker build() {
            return new dev.pintp.ntp.internal.DefaultNtpChecker(config,
                    client != null ? client : SntpClient.ofDefaults(), resolver, clock, ticker,
                    executor != null ? executor : dev.pintp.ntp.internal.DefaultNtpChecker.sharedExecutor(),
                    backoffState);
        }
    }
}
