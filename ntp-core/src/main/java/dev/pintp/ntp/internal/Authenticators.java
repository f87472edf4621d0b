package dev.pintp.ntp.internal;

import dev.pintp.ntp.NtpAuth;
import dev.pintp.ntp.internal.nts.NtsAuthenticator;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The {@link Authenticator} for an {@link NtpAuth} configuration value. */
public final class Authenticators {
    /** The NTS authenticators by configuration: a process has a handful of servers, so this stays small. */
    private static final ConcurrentMap<NtpAuth.Nts, NtsAuthenticator> NTS = new ConcurrentHashMap<>();

    private Authenticators() {
    }

    /** The authenticator that implements {@code auth}; {@link Authenticator#NONE} for {@link NtpAuth#NONE}. */
    public static Authenticator of(NtpAuth auth) {
        Objects.requireNonNull(auth, "auth");
        if (auth == NtpAuth.NONE) {
            return Authenticator.NONE;
        }
        if (auth instanceof NtpAuth.Nts nts) {
            // one per configuration, so that its keys and cookies outlive a query
            // (get, then putIfAbsent: no lambda to bootstrap at a one-shot check's start-up)
            NtsAuthenticator a = NTS.get(nts);
            if (a == null) {
                NtsAuthenticator made = new NtsAuthenticator(nts);
                a = NTS.putIfAbsent(nts, made);
                if (a == null) {
                    a = made;
                }
            }
            return a;
        }
        if (auth instanceof NtpAuth.SymmetricKey k) {
            return new SymmetricKeyAuthenticator(k.key());
        }
        throw new IllegalArgumentException("unsupported authentication " + auth);
    }
}
