package dev.pintp.ntp.internal;

import dev.pintp.ntp.NameResolver;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * {@link NameResolver#system()}: {@link InetAddress#getAllByName(String)}. A class rather than a lambda, so that a
 * one-shot check does not spin a lambda class at start-up. Stateless and thread-safe.
 */
public final class SystemResolver implements NameResolver {
    /** The shared instance. */
    public static final SystemResolver INSTANCE = new SystemResolver();

    private SystemResolver() {
    }

    @Override
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        return Arrays.asList(InetAddress.getAllByName(host));
    }
}
