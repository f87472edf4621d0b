package dev.pintp.sysconf;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A list setting as systemd reads one ({@code NTP=}, {@code FallbackNTP=}, and the job's {@code Primary=} and
 * {@code Fallback=}): each assignment adds its white-space separated words ({@link IniFile#words}); a word already in
 * the list is kept once, where it first appeared; an empty assignment resets the list to empty. A list that was
 * never assigned is different from one reset to empty: see {@link #assigned()}. Not thread-safe; build, then read.
 */
public final class WordList {
    /**
     * One word and where it was assigned.
     *
     * @param text the word, never empty and without white space
     * @param origin the assignment it came from
     */
    public record Word(String text, Origin origin) {
        /** @throws NullPointerException for a null argument */
        public Word {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(origin, "origin");
        }
    }

    private final List<Word> words = new ArrayList<>();
    private Origin last;

    /** An empty list that was never assigned. */
    public WordList() {
    }

    /** Applies one assignment of {@code value} made at {@code origin}. */
    public void assign(Origin origin, String value) {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(value, "value");
        last = origin;
        List<String> parts = IniFile.words(value);
        if (parts.isEmpty()) {
            words.clear();
            return;
        }
        for (String s : parts) {
            boolean seen = false;
            for (Word w : words) {
                seen |= w.text().equals(s); // timesyncd compares the strings as written
            }
            if (!seen) {
                words.add(new Word(s, origin));
            }
        }
    }

    /** The list of every assignment of {@code key} in {@code section} of {@code ini}. */
    public static WordList of(IniFile ini, String section, String key) {
        WordList list = new WordList();
        for (IniFile.Entry e : ini.all(section, key)) {
            list.assign(ini.origin(e), e.value());
        }
        return list;
    }

    /** True when some assignment was made, even one that left the list empty. */
    public boolean assigned() {
        return last != null;
    }

    /** The last assignment, if any (where an empty list was made empty). */
    public Optional<Origin> lastAssignment() {
        return Optional.ofNullable(last);
    }

    /** The words in order, each once. */
    public List<Word> words() {
        return List.copyOf(words);
    }

    /** The words' texts in order. */
    public List<String> texts() {
        List<String> out = new ArrayList<>(words.size());
        for (Word w : words) {
            out.add(w.text());
        }
        return out;
    }
}
