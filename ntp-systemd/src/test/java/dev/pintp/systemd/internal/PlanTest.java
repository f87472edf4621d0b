package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Plan} and {@link Change}: what a dry run prints is what the run then does. */
class PlanTest {
    private static final Path UNIT = Path.of("/etc/systemd/system/x.service");
    private static final Path JAR = Path.of("/usr/local/lib/x/x.jar");
    private static final Path LINK = Path.of("/etc/systemd/system/timers.target.wants/x.timer");
    private static final Path TARGET = Path.of("/etc/systemd/system/x.timer");
    private static final Path HOSTS = Path.of("/etc/hosts");
    private static final Path MANIFEST = Path.of("/var/lib/x/install-manifest");
    private static final byte[] BYTES = {'P', 'K', 3, 4};

    @TempDir
    Path root;

    private Path at(Path systemPath) {
        return Settings.under(root, systemPath);
    }

    /** A plan that owns a unit, a jar, a link and a hosts line, recorded in a manifest. */
    private Plan install(Manifest previous) throws IOException {
        Plan.Builder b = Plan.under(root).recordIn(MANIFEST, previous).file(UNIT, "[Unit]\nDescription=x\n")
                .file(JAR, BYTES).link(LINK, TARGET, true);
        Optional<String> hosts = b.text(HOSTS);
        if (hosts.isEmpty() || !hosts.get().contains("10.0.0.2 pi-ntp\n")) {
            b.addLine(HOSTS, "10.0.0.2 pi-ntp");
        } else {
            b.own(new Manifest.Entry(Manifest.Kind.LINE, HOSTS, "10.0.0.2 pi-ntp"));
        }
        return b.build();
    }

    @Test
    void aPlanOfAnEmptyRootWritesEverythingAndOwnsIt() throws IOException {
        Plan plan = install(new Manifest(List.of()));
        assertEquals(List.of(new Change.Write(UNIT, Optional.empty(), "[Unit]\nDescription=x\n"),
                new Change.WriteBytes(JAR, false, BYTES), new Change.Link(LINK, TARGET),
                new Change.AddLine(HOSTS, Optional.empty(), "10.0.0.2 pi-ntp")), plan.changes());
        assertEquals(List.of(new Manifest.Entry(Manifest.Kind.FILE, UNIT, ""),
                new Manifest.Entry(Manifest.Kind.FILE, JAR, ""), new Manifest.Entry(Manifest.Kind.LINK, LINK, ""),
                new Manifest.Entry(Manifest.Kind.LINE, HOSTS, "10.0.0.2 pi-ntp")), plan.entries());
        assertEquals("--- /dev/null\n+++ b/etc/systemd/system/x.service\n@@ -0,0 +1,2 @@\n+[Unit]\n+Description=x\n"
                + "Binary file /usr/local/lib/x/x.jar would be created\n"
                + "+ symlink /etc/systemd/system/timers.target.wants/x.timer -> /etc/systemd/system/x.timer\n"
                + "--- /dev/null\n+++ b/etc/hosts\n@@ -0,0 +1 @@\n+10.0.0.2 pi-ntp\n", plan.describe());
        assertFalse(Files.exists(root.resolve("etc")), "planning writes nothing");
    }

    @Test
    void aPlanOfAnUpToDateRootIsEmptyAndStillOwnsEverything() throws IOException {
        Plan.Applied first = install(new Manifest(List.of())).apply(new AtomicFiles());
        Map<String, String> after = Fixtures.tree(root);
        Plan again = install(Manifest.load(root, MANIFEST).orElseThrow());
        assertEquals(List.of(), again.changes());
        assertEquals("", again.describe());
        Plan.Applied second = again.apply(new AtomicFiles());
        assertEquals(List.of(), second.changed());
        assertEquals(after, Fixtures.tree(root), "applying an empty plan changes nothing");
        assertEquals(new Manifest(first.entries()), Manifest.load(root, MANIFEST).orElseThrow());
        assertTrue(first.entries().containsAll(again.entries()));
    }

    @Test
    void applyMakesExactlyTheChangesDescribeShowedAndRecordsTheDirectoriesItCreated() throws IOException {
        Fixtures.write(root, "/etc/hosts", "127.0.0.1 localhost");
        Fixtures.write(root, "/etc/systemd/system/x.service", "[Unit]\nDescription=old\n");
        Plan plan = install(new Manifest(List.of()));
        Plan.Applied applied = plan.apply(new AtomicFiles());
        assertEquals(plan.changes(), applied.changed());
        for (Change c : plan.changes()) {
            // each change, described against the disk before, is the diff from the disk before to the disk after
            if (c instanceof Change.Write w) {
                assertEquals(c.describe(), UnifiedDiff.of(w.path().toString(), w.before().orElse(null),
                        Files.readString(at(w.path()))));
            } else if (c instanceof Change.AddLine a) {
                assertEquals(c.describe(), UnifiedDiff.of(a.path().toString(), a.before().orElse(null),
                        Files.readString(at(a.path()))));
            } else if (c instanceof Change.WriteBytes w) {
                assertArrayEquals(BYTES, Files.readAllBytes(at(w.path())));
            } else if (c instanceof Change.Link l) {
                assertEquals(l.target(), Files.readSymbolicLink(at(l.path())));
            } else {
                throw new AssertionError(c);
            }
        }
        assertEquals("--- a/etc/hosts\n+++ b/etc/hosts\n@@ -1 +1,2 @@\n 127.0.0.1 localhost\n+10.0.0.2 pi-ntp\n",
                plan.changes().get(3).describe());
        assertEquals("127.0.0.1 localhost\n10.0.0.2 pi-ntp\n", Files.readString(root.resolve("etc/hosts")));
        assertTrue(applied.wrote(HOSTS) && !applied.removed(HOSTS));
        assertTrue(applied.entries().containsAll(List.of(
                new Manifest.Entry(Manifest.Kind.DIR, Path.of("/usr"), ""),
                new Manifest.Entry(Manifest.Kind.DIR, Path.of("/usr/local/lib/x"), ""),
                new Manifest.Entry(Manifest.Kind.DIR, Path.of("/etc/systemd/system/timers.target.wants"), ""),
                new Manifest.Entry(Manifest.Kind.DIR, Path.of("/var/lib/x"), ""))), applied.entries().toString());
        assertFalse(applied.entries().contains(new Manifest.Entry(Manifest.Kind.DIR, Path.of("/etc"), "")),
                "a directory that was there is not ours");
    }

    @Test
    void anApplyThatFailsHalfWayLeavesAManifestListingWhatItWroteAndWhatWasOwnedBefore() throws IOException {
        Manifest.Entry old = new Manifest.Entry(Manifest.Kind.FILE, Path.of("/etc/old.conf"), "");
        // a file where the link needs its directory: the unit and the jar are written, then the link fails
        Fixtures.write(root, "/etc/systemd/system/timers.target.wants", "in the way\n");
        Plan plan = install(new Manifest(List.of(old)));
        assertThrows(IOException.class, () -> plan.apply(new AtomicFiles()));
        assertTrue(Files.exists(at(UNIT)) && Files.exists(at(JAR)));
        assertFalse(Files.exists(at(HOSTS)), "nothing after the failure was made");
        List<Manifest.Entry> listed = Manifest.load(root, MANIFEST).orElseThrow().entries();
        assertTrue(listed.containsAll(List.of(old, new Manifest.Entry(Manifest.Kind.FILE, UNIT, ""),
                new Manifest.Entry(Manifest.Kind.FILE, JAR, ""), new Manifest.Entry(Manifest.Kind.DIR, Path.of("/usr"), ""))),
                listed.toString());
        assertFalse(listed.contains(new Manifest.Entry(Manifest.Kind.LINE, HOSTS, "10.0.0.2 pi-ntp")), listed.toString());
    }

    @Test
    void aStepSeesTheStepsBeforeItALineRemovedAfterOneWasAddedToTheSameFile() throws IOException {
        Fixtures.write(root, "/etc/hosts", "127.0.0.1 localhost\n192.168.4.2 pi-ntp\n");
        Plan plan = Plan.under(root).addLine(HOSTS, "10.0.0.2 pi-ntp")
                .remove(new Manifest.Entry(Manifest.Kind.LINE, HOSTS, "192.168.4.2 pi-ntp")).build();
        assertEquals(new Change.RemoveLine(HOSTS, "127.0.0.1 localhost\n192.168.4.2 pi-ntp\n10.0.0.2 pi-ntp\n",
                "192.168.4.2 pi-ntp"), plan.changes().get(1));
        assertEquals("--- a/etc/hosts\n+++ b/etc/hosts\n@@ -1,2 +1,3 @@\n 127.0.0.1 localhost\n 192.168.4.2 pi-ntp\n"
                + "+10.0.0.2 pi-ntp\n--- a/etc/hosts\n+++ b/etc/hosts\n@@ -1,3 +1,2 @@\n 127.0.0.1 localhost\n"
                + "-192.168.4.2 pi-ntp\n 10.0.0.2 pi-ntp\n", plan.describe());
        Plan.Applied applied = plan.apply(new AtomicFiles());
        assertEquals("127.0.0.1 localhost\n10.0.0.2 pi-ntp\n", Files.readString(root.resolve("etc/hosts")));
        assertTrue(applied.wrote(HOSTS) && applied.removed(HOSTS));
    }

    @Test
    void removingWhatIsNotThereIsNoChange() throws IOException {
        Fixtures.write(root, "/etc/hosts", "127.0.0.1 localhost\n");
        Plan plan = Plan.under(root).remove(new Manifest.Entry(Manifest.Kind.FILE, UNIT, ""))
                .remove(new Manifest.Entry(Manifest.Kind.LINK, LINK, ""))
                .remove(new Manifest.Entry(Manifest.Kind.LINE, HOSTS, "10.0.0.2 pi-ntp"))
                .remove(new Manifest.Entry(Manifest.Kind.DIR, Path.of("/etc"), "")).remove(JAR, "why")
                .content(UNIT, Optional.empty()).build();
        assertEquals(List.of(), plan.changes());
        assertEquals(List.of(), plan.entries(), "a removal owns nothing");
    }

    @Test
    void aRemovalTakesTheLinkItselfAndIsDescribedInOneLine() throws IOException {
        Path target = Fixtures.write(root, "/etc/systemd/system/x.timer", "[Timer]\n");
        Files.createDirectories(at(LINK).getParent());
        Files.createSymbolicLink(at(LINK), target);
        Fixtures.write(root, "/var/lib/x/install-manifest", "# old\n");
        Plan plan = Plan.under(root).remove(new Manifest.Entry(Manifest.Kind.LINK, LINK, ""))
                .remove(MANIFEST, "an old manifest").build();
        assertEquals("- remove link /etc/systemd/system/timers.target.wants/x.timer\n"
                + "- remove file /var/lib/x/install-manifest (an old manifest)\n", plan.describe());
        Plan.Applied applied = plan.apply(new AtomicFiles());
        assertEquals(plan.changes(), applied.changed());
        assertFalse(Files.exists(at(LINK), LinkOption.NOFOLLOW_LINKS));
        assertEquals("[Timer]\n", Files.readString(target), "the link's target is left alone");
        assertTrue(applied.removed(LINK) && !applied.wrote(LINK));
    }

    @Test
    void contentWritesOrRemovesAFileWithoutOwningIt() throws IOException {
        Path dropIn = Path.of("/run/systemd/system/controller.service.d/ntp-environment.conf");
        Plan write = Plan.under(root).content(dropIn, Optional.of("[Service]\n")).build();
        assertEquals(List.of(new Change.Write(dropIn, Optional.empty(), "[Service]\n")), write.changes());
        assertEquals(List.of(), write.entries());
        write.apply(new AtomicFiles());
        assertEquals(List.of(), Plan.under(root).content(dropIn, Optional.of("[Service]\n")).build().changes());
        Plan remove = Plan.under(root).content(dropIn, Optional.empty()).build();
        assertEquals(List.of(new Change.Delete(dropIn, Manifest.Kind.FILE, "")), remove.changes());
        remove.apply(new AtomicFiles());
        assertFalse(Files.exists(at(dropIn)));
    }

    @Test
    void aSymlinkWhereATextFileIsWantedIsRefusedWhenPlanningNotFollowed() throws IOException {
        Path elsewhere = Fixtures.write(root, "/elsewhere", "theirs\n");
        Files.createDirectories(at(UNIT).getParent());
        Files.createSymbolicLink(at(UNIT), elsewhere);
        IOException e = assertThrows(IOException.class, () -> Plan.under(root).file(UNIT, "[Unit]\n"));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        assertEquals("theirs\n", Files.readString(elsewhere));
    }

    @Test
    void aBinaryFileThatDiffersWouldChangeAndIsReplaced() throws IOException {
        Files.createDirectories(at(JAR).getParent());
        Files.write(at(JAR), new byte[] {1});
        Plan plan = Plan.under(root).file(JAR, BYTES).build();
        assertEquals("Binary file /usr/local/lib/x/x.jar would change\n", plan.describe());
        plan.apply(new AtomicFiles());
        assertArrayEquals(BYTES, Files.readAllBytes(at(JAR)));
        assertEquals(List.of(), Plan.under(root).file(JAR, BYTES).build().changes());
    }

    @Test
    void theBytesOfAChangeAreItsOwnAndNeverShown() {
        byte[] given = BYTES.clone();
        Change.WriteBytes w = new Change.WriteBytes(JAR, false, given);
        given[0] = 'X';
        assertArrayEquals(BYTES, w.bytes().toArray(), "a copy was taken when the change was made");
        w.bytes().toArray()[0] = 'X';
        assertArrayEquals(BYTES, w.bytes().toArray(), "and a copy is given when it is read");
        assertEquals(w, new Change.WriteBytes(JAR, false, BYTES.clone()));
        assertEquals(w.hashCode(), new Change.WriteBytes(JAR, false, BYTES.clone()).hashCode());
        assertFalse(w.equals(new Change.WriteBytes(JAR, false, new byte[] {'P', 'K', 3, 5})));
        assertFalse(w.equals(new Change.WriteBytes(JAR, true, BYTES)));
        assertEquals("WriteBytes[path=/usr/local/lib/x/x.jar, exists=false, bytes=4 bytes not shown]", w.toString());
    }
}
