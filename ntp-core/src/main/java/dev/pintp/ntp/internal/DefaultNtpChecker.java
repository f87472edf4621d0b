package dev.pintp.ntp.internal;

import dev.pintp.ntp.BackoffState;
import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.DropCounts;
import dev.pintp.ntp.NameResolver;
import dev.pintp.ntp.NtpChecker;
import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.QueryOptions;
import dev.pintp.ntp.QueryResult;
import dev.pintp.ntp.SntpClient;
import dev.pintp.ntp.SourceReport;
import dev.pintp.ntp.Ticker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checker: resolves and queries every source concurrently under one deadline, keeps backoff, and hands the
 * reports to {@link SourceSelector}.
 */
public final class DefaultNtpChecker implements NtpChecker {
    /** Shortest per-exchange timeout worth sending a request for. */
    private static final Duration MIN_EXCHANGE_TIME = Duration.ofMillis(10);

    private static final class SharedPool {
        static final ExecutorService POOL = newPool();
    }

    private final NtpConfig config;
    private final SntpClient client;
    private final NameResolver resolver;
    private final Clock clock;
    private final Ticker ticker;
    private final Executor executor;
    private final BackoffBook backoff;
    private volatile BackoffState lastBackoff;

    /** A checker with the given seams; see {@link NtpChecker.Builder}. */
    public DefaultNtpChecker(NtpConfig config, SntpClient client, NameResolver resolver, Clock clock, Ticker ticker,
            Executor executor, BackoffState backoffState) {
        this.config = config;
        this.client = client;
        this.resolver = resolver;
        this.clock = clock;
        this.ticker = ticker;
        this.executor = executor;
        this.backoff = new BackoffBook(backoffState, clock);
        this.lastBackoff = backoffState;
    }

    /**
     * Threads of the default executor. Each resolution and each query blocks one thread (and a query one socket), so
     * this bounds both however many servers are configured (at most {@link NtpConfig#MAX_SERVERS}, each with up to
     * {@link NtpConfig#maxAddressesPerName()} addresses): the default configuration's 4 names and about 13 addresses
     * still run all at once. Work beyond it waits in a queue, primaries first, and what has not started by the
     * deadline is reported as not answered within it (a query that starts after the deadline sends nothing).
     */
    public static final int POOL_THREADS = 16;

    /**
     * The default executor: at most {@link #POOL_THREADS} daemon threads, made as needed, idle ones ended after 5
     * minutes (above a check interval); queued work runs primaries' first, then in the order given.
     */
    public static ExecutorService sharedExecutor() {
        return SharedPool.POOL;
    }

    private static ExecutorService newPool() {
        return newExecutor(Duration.ofMinutes(5));
    }

    /**
     * An executor like {@link #sharedExecutor()} whose idle threads end after {@code keepAlive}: for a process that
     * checks once a minute and should not keep the threads (their stacks) in between.
     */
    public static ExecutorService newExecutor(Duration keepAlive) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(POOL_THREADS, POOL_THREADS, keepAlive.toNanos(),
                TimeUnit.NANOSECONDS, new PriorityBlockingQueue<>(64, new ByPriority()), new DaemonThreads());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Orders queued tasks: a primary's before a fallback's, then first come first served. */
    private static final class ByPriority implements Comparator<Runnable> {
        @Override
        public int compare(Runnable a, Runnable b) {
            return Long.compare(rank(a), rank(b));
        }

        private static long rank(Runnable r) {
            return r instanceof Task<?> t ? t.rank : Long.MAX_VALUE;
        }
    }

    @Override
    public BackoffState backoffState() {
        return lastBackoff;
    }

    @Override
    public synchronized CheckResult check() {
        Instant checkedAt = clock.instant();
        long start = ticker.read();
        long deadline = start + config.checkDeadline().toNanos();
        List<NtpServer> servers = new ArrayList<>(config.primaries());
        servers.addAll(config.fallbacks());

        // An address that two names share (pool names often do) is queried once, by whichever name resolved first,
        // and reported and counted once, under the first of the names in configuration order.
        Map<InetSocketAddress, CompletableFuture<SourceReport>> started = new ConcurrentHashMap<>();
        List<CompletableFuture<Resolution>> queries = new ArrayList<>();
        // Anonymous classes rather than lambdas here and below: each lambda costs a one-shot check its class
        // spinning at start-up (docs/probe.md, "Start-up cost").
        for (NtpServer server : servers) {
            queries.add(start(new Task<Resolution>(server) {
                @Override
                Resolution compute() throws Exception {
                    List<InetAddress> addresses = resolve(server);
                    List<Pending> pending = new ArrayList<>();
                    for (InetAddress a : addresses) {
                        InetSocketAddress target = new InetSocketAddress(a, server.port());
                        Task<SourceReport> task = new Task<>(server) {
                            @Override
                            SourceReport compute() {
                                return query(server, target, deadline);
                            }
                        };
                        CompletableFuture<SourceReport> earlier = started.putIfAbsent(target, task.result);
                        pending.add(new Pending(target, earlier != null ? earlier : start(task)));
                    }
                    return new Resolution(addresses.size(), pending);
                }
            }));
        }
        Set<InetSocketAddress> reported = new HashSet<>();

        List<SourceReport> reports = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            NtpServer server = servers.get(i);
            Resolution resolution;
            try {
                resolution = await(queries.get(i), deadline);
            } catch (TimeoutException e) {
                reports.add(unresolved(server, "not resolved within the check deadline of "
                        + seconds(config.checkDeadline())));
                continue;
            } catch (ExecutionException e) {
                reports.add(unresolved(server, describe(e.getCause())));
                continue;
            }
            if (resolution.addresses() == 0) {
                reports.add(unresolved(server, "the resolver gave no address"));
            }
            for (Pending p : resolution.pending()) {
                if (!reported.add(p.target())) {
                    continue; // reported under an earlier name
                }
                try {
                    SourceReport r = await(p.report(), deadline);
                    reports.add(r.server().equals(server) ? r
                            : new SourceReport(server, r.address(), r.outcome(), r.reasons(), r.query(), r.detail()));
                } catch (TimeoutException e) {
                    reports.add(new SourceReport(server, Optional.of(p.target()), Outcome.TIMEOUT, List.of(),
                            Optional.empty(), "no answer within the check deadline of "
                            + seconds(config.checkDeadline())));
                } catch (ExecutionException e) {
                    // The client promises not to throw; if it does anyway, the source is simply unusable.
                    Log.LOG.warn("query of {} failed", p.target(), e.getCause());
                    reports.add(new SourceReport(server, Optional.of(p.target()), Outcome.UNREACHABLE,
                            List.of(), Optional.empty(), "query failed: " + describe(e.getCause())));
                }
            }
        }
        lastBackoff = backoff.snapshot();
        Duration elapsed = Duration.ofNanos(Math.max(0, ticker.read() - start));
        return SourceSelector.decide(reports, config, checkedAt, elapsed);
    }

    private List<InetAddress> resolve(NtpServer server) throws Exception {
        List<InetAddress> all = resolver.resolve(server.host());
        if (all == null) {
            return List.of();
        }
        List<InetAddress> distinct = new ArrayList<>();
        for (InetAddress a : all) {
            if (a != null && !distinct.contains(a) && distinct.size() < config.maxAddressesPerName()) {
                distinct.add(a);
            }
        }
        return distinct;
    }

    private SourceReport query(NtpServer server, InetSocketAddress target, long deadline) {
        boolean primary = server.role() == NtpServer.Role.PRIMARY;
        if (!primary) {
            Optional<BackoffBook.Skip> skip = backoff.skip(target);
            if (skip.isPresent()) {
                return new SourceReport(server, Optional.of(target), Outcome.SKIPPED,
                        List.of(skip.get().reason()), Optional.empty(), skip.get().detail());
            }
        }
        long begin = ticker.read();
        QueryResult result;
        if (primary) {
            // The primary's whole attempt, burst and retry, fits in one timeout from its first request: its
            // requests are spaced timeout / (samples + 1) apart, an answer to an earlier one still counts while a
            // later one waits, and a dead primary is given up one timeout after the first request, not a timeout
            // per request. One retry of a single exchange after a burst that got no answer (or a client that broke
            // its promise not to throw), in the slot left for it. Plain code rather than a resilience4j Retry:
            // building a RetryConfig spins about 25 classes and lambdas, a tenth of a one-shot check's start-up.
            long end = begin + Math.min(config.timeout().toNanos(), Math.max(0, deadline - begin));
            try {
                result = queryOnce(server, target, end, config.primarySamples(), config.primarySamples() + 1);
            } catch (RuntimeException e) {
                result = null;
            }
            if (result == null || result.outcome() == Outcome.TIMEOUT) {
                result = queryOnce(server, target, end, 1, 1);
            }
        } else {
            boolean recorded = false;
            try {
                result = queryOnce(server, target, deadline, config.fallbackSamples(), config.fallbackSamples());
                if (result.exchanges() > 0) { // no packet sent (deadline already past) says nothing about the server
                    backoff.record(target, result);
                    recorded = true;
                }
            } finally {
                if (!recorded) {
                    backoff.release(target); // or a half-open breaker would wait forever for this probe's result
                }
            }
        }
        return report(server, target, result);
    }

    /**
     * One query of {@code samples} exchanges, each given at most the configured timeout and at most
     * {@code 1/slots} of the time left until {@code deadline} (the check's, or the end of the primary's timeout), so
     * the whole burst ends by then (with one slot left for the primary's retry) instead of running on after the
     * check has given up on it.
     */
    private QueryResult queryOnce(NtpServer server, InetSocketAddress target, long deadline, int samples, int slots) {
        long remaining = deadline - ticker.read();
        long perExchange = Math.min(config.timeout().toNanos(), remaining / slots);
        if (perExchange < MIN_EXCHANGE_TIME.toNanos()) {
            return new QueryResult(target, Outcome.TIMEOUT, Optional.empty(), List.of(), List.of(),
                    Optional.empty(), Duration.ZERO, 0, DropCounts.NONE, "check deadline reached");
        }
        return client.query(target,
                new QueryOptions(samples, Duration.ofNanos(perExchange), config.maxRootDistance(), server.auth()));
    }

    /** The report of a query: its outcome and every reason it gave (a REJECTED or KISS result always has one). */
    private static SourceReport report(NtpServer server, InetSocketAddress target, QueryResult result) {
        return new SourceReport(server, Optional.of(target), result.outcome(), result.reasons(), Optional.of(result));
    }

    private static SourceReport unresolved(NtpServer server, String why) {
        Log.LOG.debug("{} unresolved: {}", server, why);
        return new SourceReport(server, Optional.empty(), Outcome.UNRESOLVED, List.of(), Optional.empty(), why);
    }

    private static String describe(Throwable t) {
        if (t instanceof UnknownHostException) {
            return "unknown host " + t.getMessage();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": "
                + t.getMessage();
    }

    private static String seconds(Duration d) {
        return d.toMillis() / 1000.0 + " s";
    }

    private <T> T await(CompletableFuture<T> future, long deadline) throws TimeoutException, ExecutionException {
        long remaining = deadline - ticker.read();
        try {
            if (future.isDone()) {
                return future.get();
            }
            if (remaining <= 0) {
                throw new TimeoutException("check deadline reached");
            }
            return future.get(remaining, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimeoutException("interrupted");
        }
    }

    /** Runs {@code task} on the executor; its future fails when the executor refuses it. */
    private <T> CompletableFuture<T> start(Task<T> task) {
        try {
            executor.execute(task);
        } catch (RuntimeException e) {
            task.result.completeExceptionally(e);
        }
        return task.result;
    }

    /** A resolved name: how many addresses it had, and the query of each (shared with other names). */
    private record Resolution(int addresses, List<Pending> pending) {
    }

    /** A query under way to one address. */
    private record Pending(InetSocketAddress target, CompletableFuture<SourceReport> report) {
    }

    /** A computation on the executor whose result or failure completes {@link #result}. */
    private abstract static class Task<T> implements Runnable {
        private static final AtomicLong SEQUENCE = new AtomicLong();
        final CompletableFuture<T> result = new CompletableFuture<>();
        /** Queue order: primaries' tasks (negative) before fallbacks', each in the order made. */
        final long rank;

        Task(NtpServer server) {
            long n = SEQUENCE.incrementAndGet();
            rank = server.role() == NtpServer.Role.PRIMARY ? n - Long.MAX_VALUE : n;
        }

        abstract T compute() throws Exception;

        @Override
        public void run() {
            try {
                result.complete(compute());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }
    }

    /** Daemon threads named {@code ntp-query-N}. */
    private static final class DaemonThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "ntp-query-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }

    /**
     * The logger, created on first use: slf4j's provider lookup (a ServiceLoader scan of the class path) costs a
     * one-shot check about 10 ms of start-up, and a check that goes well logs nothing.
     */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(DefaultNtpChecker.class);
    }
}
