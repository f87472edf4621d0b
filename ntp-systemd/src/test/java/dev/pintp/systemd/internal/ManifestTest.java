package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The install manifest read back: what render wrote, or a refusal naming file and line, never a stray exception. */
class ManifestTest {
    @TempDir
    Path root;

    private Path file() throws IOException {
        Path f = Settings.under(root, Manifest.PATH);
        Files.createDirectories(f.getParent());
        return f;
    }

    @Test
    void whatRenderWritesIsReadBack() throws IOException {
        Manifest m = new Manifest(List.of(new Manifest.Entry(Manifest.Kind.FILE, Path.of("/etc/a b.conf"), ""),
                new Manifest.Entry(Manifest.Kind.LINE, Path.of("/etc/hosts"), "192.168.4.2 pi-ntp"),
                new Manifest.Entry(Manifest.Kind.LINK, Path.of("/etc/systemd/system/timers.target.wants/x.timer"), ""),
                new Manifest.Entry(Manifest.Kind.DIR, Path.of("/etc/ntp-monitor"), "")));
        Files.writeString(file(), m.render());
        assertEquals(m, Manifest.load(root).orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bogus /etc/x", "file", "file etc/relative", "file /etc/../shadow", "file /etc/./x",
            "FILE /etc/x", "line"})
    void aCorruptLineIsRefusedWithFileAndLine(String bad) throws IOException {
        Files.writeString(file(), "# Written by ntp-monitor install; read by uninstall. Do not edit.\nfile /etc/ok\n"
                + bad + "\n");
        IOException e = assertThrows(IOException.class, () -> Manifest.load(root));
        assertTrue(e.getMessage().startsWith("corrupt install manifest " + Manifest.PATH + ":3: "), e.getMessage());
    }

    @Test
    void aManifestOfTheReleaseBeforeIsReadAndRenderedInTheNewFormat() throws IOException {
        // the bytes the release before the pintp-state format wrote
        Files.writeString(file(), "# Written by ntp-monitor install; read by uninstall. Do not edit.\n"
                + "file /etc/a b.conf\nlink /etc/systemd/system/timers.target.wants/x.timer\n"
                + "line /etc/hosts 192.168.4.2 pi-ntp\ndir /etc/ntp-monitor\n");
        Manifest m = Manifest.load(root).orElseThrow();
        assertEquals(new Manifest(List.of(new Manifest.Entry(Manifest.Kind.FILE, Path.of("/etc/a b.conf"), ""),
                new Manifest.Entry(Manifest.Kind.LINE, Path.of("/etc/hosts"), "192.168.4.2 pi-ntp"),
                new Manifest.Entry(Manifest.Kind.LINK, Path.of("/etc/systemd/system/timers.target.wants/x.timer"), ""),
                new Manifest.Entry(Manifest.Kind.DIR, Path.of("/etc/ntp-monitor"), ""))), m);
        // the words the package's postrm reads (read -r kind path text), after the header
        assertEquals("pintp-state manifest 1\n# Written by ntp-monitor install; read by uninstall. Do not edit.\n"
                + "file /etc/a b.conf\nlink /etc/systemd/system/timers.target.wants/x.timer\n"
                + "line /etc/hosts 192.168.4.2 pi-ntp\ndir /etc/ntp-monitor\n", m.render());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bogus /etc/x", "file", "file etc/relative", "file /etc/../shadow", "FILE /etc/x",
            "line", "file=/etc/x", "file /etc/\u0001x"})
    void aCorruptLineOfTheNewFormatIsRefusedWithFileAndLine(String bad) throws IOException {
        Files.writeString(file(), new Manifest(List.of(new Manifest.Entry(Manifest.Kind.FILE, Path.of("/etc/ok"),
                ""))).render() + bad + "\n");
        IOException e = assertThrows(IOException.class, () -> Manifest.load(root));
        assertTrue(e.getMessage().startsWith("corrupt install manifest " + Manifest.PATH + ":4: "), e.getMessage());
    }

    @Test
    void aManifestOfAnotherKindOrANewerVersionIsRefused() throws IOException {
        Files.writeString(file(), "pintp-state manifest 2\nfile /etc/ok\n");
        IOException e = assertThrows(IOException.class, () -> Manifest.load(root));
        assertEquals("corrupt install manifest " + Manifest.PATH + ":1: version 2 of manifest is newer than this"
                + " pintp reads (1) (fix or remove it by hand; install and uninstall rely on it)", e.getMessage());
    }
}
