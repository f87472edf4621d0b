package dev.pintp.ntp.internal;

import dev.pintp.ntp.NtpAuth;
import java.util.Objects;

/** The {@link Authenticator} for an {@link NtpAuth} configuration value. */
public final class Authenticators {
    private Authenticators() {
    }

    /** The authenticator that implements {@code auth}; {@link Authenticator#NONE} for {@link NtpAuth#NONE}. */
    public static Authenticator of(NtpAuth auth) {
        Objects.requireNonNull(auth, "auth");
        if (auth == NtpAuth.NONE) {
            return Authenticator.NONE;
        }
        if (auth instanceof NtpAuth.SymmetricKey k) {
            return new SymmetricKeyAuthenticator(k.key());
        }
        throw new IllegalArgumentException("unsupported authentication " + auth);
    }
}
