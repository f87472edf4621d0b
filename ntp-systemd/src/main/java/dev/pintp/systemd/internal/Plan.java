package dev.pintp.systemd.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a command will change under a file root, computed from the state it wants and what is on disk: the
 * {@link Change}s, in order, and the {@link Manifest} entries the system then owns. {@code --dry-run} prints
 * {@link #describe()}; a run calls {@link #apply} on the same plan, so what is shown is what is done (Terraform's
 * plan and apply). A plan of a root that is already as wanted has no changes. Immutable; {@link #apply} is not
 * thread-safe against other writers of the same files.
 */
final class Plan {
    /** One thing the plan wants: the entry it owns afterwards, and the change that gets it there; either may be absent. */
    private record Step(Optional<Manifest.Entry> owns, Optional<Change> change) {
    }

    /**
     * What {@link #apply} did.
     *
     * @param changed the changes that changed something on disk, in the order made
     * @param entries what the system owns now: the plan's entries and each directory apply had to create
     */
    record Applied(List<Change> changed, List<Manifest.Entry> entries) {
        Applied {
            changed = List.copyOf(changed);
            entries = List.copyOf(entries);
        }

        /** True when a change put something at {@code path} (wrote or linked it, or added a line to it). */
        boolean wrote(Path path) {
            return changed.stream().anyMatch(c -> !c.removes() && c.path().equals(path));
        }

        /** True when a change took something away from {@code path}. */
        boolean removed(Path path) {
            return changed.stream().anyMatch(c -> c.removes() && c.path().equals(path));
        }
    }

    /** Where apply records its entries, and what was recorded there before. */
    private record Record(Path manifest, Manifest previous) {
    }

    private final Path root;
    private final List<Step> steps;
    private final Optional<Record> record;

    private Plan(Path root, List<Step> steps, Optional<Record> record) {
        this.root = root;
        this.steps = List.copyOf(steps);
        this.record = record;
    }

    /** A new plan for the system under {@code root} ({@code /} for the real one). */
    static Builder under(Path root) {
        return new Builder(root);
    }

    /** The changes, in the order {@link #apply} makes them. */
    List<Change> changes() {
        List<Change> out = new ArrayList<>();
        steps.forEach(s -> s.change().ifPresent(out::add));
        return out;
    }

    /** The entries the system owns once the plan is applied, not counting the directories apply will create. */
    List<Manifest.Entry> entries() {
        List<Manifest.Entry> out = new ArrayList<>();
        steps.forEach(s -> s.owns().ifPresent(out::add));
        return out;
    }

    /** What {@code --dry-run} prints: each change's {@link Change#describe}, in order; empty when nothing changes. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        changes().forEach(c -> sb.append(c.describe()));
        return sb.toString();
    }

    /**
     * Makes the changes in order. Before each change its entry is recorded, and the directories it needs are created
     * (and recorded): with a manifest ({@link Builder#recordIn}), a change that fails leaves a manifest that lists
     * what the previous run recorded and everything this one may have written, and the failure is thrown; when all
     * succeed the manifest lists {@link Applied#entries}.
     *
     * @throws IOException when a change cannot be made (the changes before it stay made)
     */
    Applied apply(AtomicFiles files) throws IOException {
        List<Manifest.Entry> entries = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        try {
            for (Step s : steps) {
                s.owns().ifPresent(entries::add);
                if (s.change().isPresent()) {
                    Change c = s.change().get();
                    if (!c.removes()) {
                        createDirectories(c.path().getParent(), entries);
                    }
                    if (c.apply(root, files)) {
                        changed.add(c);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (record.isPresent()) {
                List<Manifest.Entry> known = new ArrayList<>(record.get().previous().entries());
                known.addAll(entries);
                try {
                    files.writeIfChanged(Settings.under(root, record.get().manifest()), new Manifest(known).render());
                } catch (IOException | RuntimeException again) {
                    e.addSuppressed(again);
                }
            }
            throw e;
        }
        if (record.isPresent()) {
            // the order of entries does not matter: uninstall removes directories deepest first
            createDirectories(record.get().manifest().getParent(), entries);
            files.writeIfChanged(Settings.under(root, record.get().manifest()), new Manifest(entries).render());
        }
        return new Applied(changed, entries);
    }

    /** Creates {@code dir} and its missing parents under the root, recording each it created. */
    private void createDirectories(Path dir, List<Manifest.Entry> entries) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path d = dir; d != null && !Files.isDirectory(Settings.under(root, d)); d = d.getParent()) {
            missing.add(0, d);
        }
        for (Path d : missing) {
            Files.createDirectory(Settings.under(root, d));
            entries.add(new Manifest.Entry(Manifest.Kind.DIR, d, ""));
        }
    }

    /**
     * Builds a plan step by step, each against the disk as the steps before it leave it (a line removed after one was
     * added to the same file sees the added one). Reads files only through {@link AtomicFiles#read}: a path that is
     * a symlink or not a regular file where a text is wanted is an {@link IOException}, never followed.
     */
    static final class Builder {
        private final Path root;
        private final List<Step> steps = new ArrayList<>();
        private final Map<Path, String> texts = new HashMap<>();
        private final Set<Path> gone = new HashSet<>();
        private Optional<Record> record = Optional.empty();

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "root");
        }

        private Path at(Path path) {
            return Settings.under(root, path);
        }

        /** The text {@code path} holds once the steps so far are made: what is on disk unless a step changes it. */
        Optional<String> text(Path path) throws IOException {
            if (texts.containsKey(path)) {
                return Optional.of(texts.get(path));
            }
            return gone.contains(path) ? Optional.empty() : AtomicFiles.read(at(path));
        }

        /** True when something (a file, a link, anything) is at {@code path} once the steps so far are made. */
        boolean exists(Path path) {
            return texts.containsKey(path) || !gone.contains(path) && Files.exists(at(path), LinkOption.NOFOLLOW_LINKS);
        }

        private void step(Optional<Manifest.Entry> owns, Optional<Change> change) {
            steps.add(new Step(owns, change));
        }

        /** The text file {@code path}, owned, holding exactly {@code text}. */
        Builder file(Path path, String text) throws IOException {
            Optional<String> before = text(path);
            step(Optional.of(new Manifest.Entry(Manifest.Kind.FILE, path, "")),
                    before.equals(Optional.of(text)) ? Optional.empty() : Optional.of(new Change.Write(path, before, text)));
            texts.put(path, text);
            gone.remove(path);
            return this;
        }

        /** The binary file {@code path}, owned, holding exactly {@code bytes} (compared without reading it whole). */
        Builder file(Path path, byte[] bytes) throws IOException {
            boolean same = !gone.contains(path) && AtomicFiles.hasContent(at(path), bytes);
            step(Optional.of(new Manifest.Entry(Manifest.Kind.FILE, path, "")),
                    same ? Optional.empty() : Optional.of(new Change.WriteBytes(path, exists(path), bytes)));
            gone.remove(path);
            return this;
        }

        /**
         * {@code path} holding {@code text}, or absent when {@code text} is empty; not owned (the job's drop-ins, which
         * no manifest lists).
         */
        Builder content(Path path, Optional<String> text) throws IOException {
            Optional<String> before = text(path);
            if (text.isPresent() && !before.equals(text)) {
                step(Optional.empty(), Optional.of(new Change.Write(path, before, text.get())));
                texts.put(path, text.get());
                gone.remove(path);
            } else if (text.isEmpty()) {
                remove(path, "");
            }
            return this;
        }

        /** The symlink {@code path} to {@code target}; owned only when {@code own}. */
        Builder link(Path path, Path target, boolean own) throws IOException {
            Path at = at(path);
            boolean same = !gone.contains(path) && Files.isSymbolicLink(at) && Files.readSymbolicLink(at).equals(target);
            step(own ? Optional.of(new Manifest.Entry(Manifest.Kind.LINK, path, "")) : Optional.empty(),
                    same ? Optional.empty() : Optional.of(new Change.Link(path, target)));
            texts.remove(path);
            gone.remove(path);
            return this;
        }

        /**
         * The secret file {@code path} holding exactly {@code bytes}, mode 0600 ({@link Change.WriteSecret}); not
         * owned (no manifest lists a secret: uninstall leaves it to the administrator). A file that already holds
         * the bytes with no permission for group or others is left as it is.
         *
         * @param what what the bytes are, in words without the secret; {@link #describe} shows these, never the bytes
         * @throws IOException when the path is refused ({@link Change.WriteSecret#checkPrivate}) or cannot be read
         */
        Builder secret(Path path, byte[] bytes, String what) throws IOException {
            Change.WriteSecret.checkPrivate(root, path);
            boolean same = !gone.contains(path) && !texts.containsKey(path) && AtomicFiles.hasContent(at(path), bytes)
                    && Files.getPosixFilePermissions(at(path), LinkOption.NOFOLLOW_LINKS).stream()
                            .allMatch(p -> p.name().startsWith("OWNER"));
            step(Optional.empty(), same ? Optional.empty()
                    : Optional.of(new Change.WriteSecret(path, exists(path), bytes, what)));
            texts.remove(path);
            gone.remove(path);
            return this;
        }

        /** {@code line} appended to the shared file {@code path}, owned as that line. */
        Builder addLine(Path path, String line) throws IOException {
            Optional<String> before = text(path);
            step(Optional.of(new Manifest.Entry(Manifest.Kind.LINE, path, line)),
                    Optional.of(new Change.AddLine(path, before, line)));
            texts.put(path, Change.AddLine.with(before.orElse(""), line));
            gone.remove(path);
            return this;
        }

        /** {@code entry} owned as it is, with no change (a line an earlier run added, a directory it created). */
        Builder own(Manifest.Entry entry) {
            step(Optional.of(entry), Optional.empty());
            return this;
        }

        /** What {@code entry} names taken away, if it is there: the file, the link, the line; a directory is kept. */
        Builder remove(Manifest.Entry entry) throws IOException {
            switch (entry.kind()) {
                case FILE, LINK -> {
                    if (exists(entry.path())) {
                        step(Optional.empty(), Optional.of(new Change.Delete(entry.path(), entry.kind(), "")));
                        texts.remove(entry.path());
                        gone.add(entry.path());
                    }
                }
                case LINE -> {
                    Optional<String> before = text(entry.path());
                    if (before.isPresent() && !Change.RemoveLine.without(before.get(), entry.line()).equals(before.get())) {
                        step(Optional.empty(), Optional.of(new Change.RemoveLine(entry.path(), before.get(), entry.line())));
                        texts.put(entry.path(), Change.RemoveLine.without(before.get(), entry.line()));
                    }
                }
                case DIR -> {
                    // directories go when empty, after the plan (Installer.removeEmptyDirectories)
                }
            }
            return this;
        }

        /** The file {@code path} removed if it is there; {@code why} is said with it in {@link #describe}. */
        Builder remove(Path path, String why) {
            if (exists(path)) {
                step(Optional.empty(), Optional.of(new Change.Delete(path, Manifest.Kind.FILE, why)));
                texts.remove(path);
                gone.add(path);
            }
            return this;
        }

        /**
         * Records the entries in {@code manifest} when the plan is applied, also when it fails half-way (then with
         * those of {@code previous}, which the system may still hold). The directories {@code previous} lists stay
         * owned: an earlier run created them.
         */
        Builder recordIn(Path manifest, Manifest previous) {
            record = Optional.of(new Record(Objects.requireNonNull(manifest, "manifest"),
                    Objects.requireNonNull(previous, "previous")));
            previous.of(Manifest.Kind.DIR).forEach(this::own);
            return this;
        }

        Plan build() {
            return new Plan(root, steps, record);
        }
    }
}
