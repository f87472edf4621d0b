package dev.pintp.ntp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Resolves a host name to its addresses. A check calls it on its executor and gives up on it at the check's
 * deadline, so an implementation may block; it is called concurrently for different names and must be thread-safe.
 */
@FunctionalInterface
public interface NameResolver {

    /**
     * All addresses of {@code host}, in the order the resolver gives them; a check queries at most
     * {@link NtpConfig#maxAddressesPerName()} of them.
     *
     * @param host a DNS name or an address literal, never null
     * @return the addresses, never null; an empty list counts as unresolved
     * @throws UnknownHostException when the name does not resolve
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The system resolver ({@link InetAddress#getAllByName(String)}, which also parses address literals). */
    static NameResolver system() {
        return dev.pintp.ntp.internal.SystemResolver.INSTANCE;
    }
}
