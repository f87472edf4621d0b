package dev.pintp.ntp;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A recording fake: answers each address from a script (a queue of answers, the last one repeating), records every
 * call. Thread-safe. An address without a script times out.
 */
final class FakeSntpClient implements SntpClient {
    /** One recorded call. */
    record Call(InetSocketAddress server, QueryOptions options) {
    }

    private final Map<InetSocketAddress, Deque<Function<QueryOptions, QueryResult>>> scripts = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();

    /** Scripts {@code server} to answer every query with {@code answer}. */
    synchronized FakeSntpClient answer(InetSocketAddress server, Function<QueryOptions, QueryResult> answer) {
        scripts.put(server, new ArrayDeque<>(List.of(answer)));
        return this;
    }

    /** Scripts {@code server} to give these results in turn; the last repeats. */
    synchronized FakeSntpClient results(InetSocketAddress server, QueryResult... results) {
        Deque<Function<QueryOptions, QueryResult>> q = new ArrayDeque<>();
        for (QueryResult r : results) {
            q.add(o -> r);
        }
        scripts.put(server, q);
        return this;
    }

    @Override
    public QueryResult query(InetSocketAddress server, QueryOptions options) {
        Function<QueryOptions, QueryResult> answer;
        synchronized (this) {
            calls.add(new Call(server, options));
            Deque<Function<QueryOptions, QueryResult>> q = scripts.get(server);
            if (q == null) {
                return Fixtures.timeout(server);
            }
            answer = q.size() > 1 ? q.poll() : q.peek();
        }
        return answer.apply(options);
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized long callsTo(InetSocketAddress server) {
        return calls.stream().filter(c -> c.server().equals(server)).count();
    }
}
