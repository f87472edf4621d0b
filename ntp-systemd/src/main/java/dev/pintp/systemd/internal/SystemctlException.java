package dev.pintp.systemd.internal;

/** {@code systemctl} could not be run or exited non-zero; the message carries its command line and output. */
public final class SystemctlException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A failure with a message fit for the log. */
    public SystemctlException(String message) {
        super(message);
    }

    /** A failure caused by {@code cause}. */
    public SystemctlException(String message, Throwable cause) {
        super(message, cause);
    }
}
