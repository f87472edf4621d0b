package dev.pintp.systemd.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A unified diff of two small texts (the files the installer writes are a few dozen lines): longest common
 * subsequence by dynamic programming, hunks with three lines of context, as {@code diff -u} prints them.
 */
public final class UnifiedDiff {
    private static final int CONTEXT = 3;

    private UnifiedDiff() {
    }

    /**
     * The diff from {@code before} to {@code after}, or an empty string when they are equal. Control characters in
     * the path and the lines are shown as {@code \\xNN} ({@link JournalSink#oneLine}): the old text is whatever is
     * on disk, and the diff is printed to a terminal.
     *
     * @param before the old text, or null when the file does not exist
     * @param after the new text, or null when the file is removed
     */
    public static String of(String path, String before, String after) {
        if (before == null && after == null || before != null && before.equals(after)) {
            return "";
        }
        List<String> a = lines(before);
        List<String> b = lines(after);
        int n = a.size();
        int m = b.size();
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        // ops: ' ' keep, '-' delete, '+' insert; with the index into a or b
        List<char[]> ops = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<int[]> pos = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a.get(i).equals(b.get(j))) {
                ops.add(new char[] {' '});
                texts.add(a.get(i));
                pos.add(new int[] {i++, j++});
            } else if (j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j])) {
                ops.add(new char[] {'+'});
                texts.add(b.get(j));
                pos.add(new int[] {i, j++});
            } else {
                ops.add(new char[] {'-'});
                texts.add(a.get(i));
                pos.add(new int[] {i++, j});
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("--- ").append(before == null ? "/dev/null" : "a" + JournalSink.oneLine(path)).append('\n');
        out.append("+++ ").append(after == null ? "/dev/null" : "b" + JournalSink.oneLine(path)).append('\n');
        int k = 0;
        while (k < ops.size()) {
            if (ops.get(k)[0] == ' ') {
                k++;
                continue;
            }
            int start = Math.max(0, k - CONTEXT);
            int end = k;
            // extend the hunk while changes are within 2 * CONTEXT of each other
            int lastChange = k;
            while (end < ops.size()) {
                if (ops.get(end)[0] != ' ') {
                    lastChange = end;
                } else if (end - lastChange > 2 * CONTEXT) {
                    break;
                }
                end++;
            }
            end = Math.min(ops.size(), lastChange + CONTEXT + 1);
            int aStart = pos.get(start)[0];
            int bStart = pos.get(start)[1];
            int aLen = 0;
            int bLen = 0;
            for (int x = start; x < end; x++) {
                char op = ops.get(x)[0];
                if (op != '+') {
                    aLen++;
                }
                if (op != '-') {
                    bLen++;
                }
            }
            out.append("@@ -").append(range(aStart, aLen)).append(" +").append(range(bStart, bLen)).append(" @@\n");
            for (int x = start; x < end; x++) {
                // an existing file's bytes reach the admin's terminal: control characters shown, never obeyed
                out.append(ops.get(x)[0]).append(JournalSink.oneLine(texts.get(x))).append('\n');
            }
            k = end;
        }
        return out.toString();
    }

    private static String range(int start, int len) {
        // diff -u numbers lines from 1; an empty range names the line before it
        return (len == 0 ? start : start + 1) + (len == 1 ? "" : "," + len);
    }

    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        String[] parts = text.split("\n", -1);
        int count = text.endsWith("\n") ? parts.length - 1 : parts.length;
        for (int x = 0; x < count; x++) {
            out.add(parts[x]);
        }
        return out;
    }
}
