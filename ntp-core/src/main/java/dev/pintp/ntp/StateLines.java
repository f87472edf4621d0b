package dev.pintp.ntp;

/** How the small state files ({@link SyncState}, {@link BackoffState}, {@link DriftHistory}) are cut into lines. */
final class StateLines {
    private StateLines() {
    }

    /**
     * The lines of {@code text} without its leading and trailing white space; never an empty array. A text made
     * only of line separators that {@link String#strip()} keeps (U+0085 is one) gives one empty line, so a decoder
     * reports it as a wrong header instead of failing on a missing first line.
     */
    static String[] of(String text) {
        String[] lines = text.strip().split("\\R");
        return lines.length == 0 ? new String[] {""} : lines;
    }
}
