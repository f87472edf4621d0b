package dev.pintp.probe;

/** A bad command line: the message is one line for the user, shown before the usage; exit code 3. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
