package dev.pintp.ntp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A resolver from a map; unknown names throw {@link UnknownHostException}. Records the names asked. Thread-safe. */
final class FakeResolver implements NameResolver {
    private final Map<String, List<InetAddress>> names = new HashMap<>();
    private final List<String> asked = new ArrayList<>();

    synchronized FakeResolver name(String host, String... literals) {
        List<InetAddress> a = new ArrayList<>();
        for (String l : literals) {
            a.add(Fixtures.ip(l));
        }
        names.put(host, a);
        return this;
    }

    @Override
    public synchronized List<InetAddress> resolve(String host) throws UnknownHostException {
        asked.add(host);
        List<InetAddress> a = names.get(host);
        if (a == null) {
            throw new UnknownHostException(host);
        }
        return a;
    }

    synchronized List<String> asked() {
        return List.copyOf(asked);
    }
}
