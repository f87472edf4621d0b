package dev.pintp.sysconf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IniFileTest {
    private static final Path FILE = Path.of("/etc/test.conf");

    @Test
    void parsesSectionsKeysValuesAndLineNumbers() throws Exception {
        IniFile ini = IniFile.parse(FILE, """
                # comment
                ; another comment
                [Time]
                NTP = 192.168.4.2  pool
                FallbackNTP=

                [Other]
                Key=a=b
                """);
        assertEquals(List.of(
                new IniFile.Entry("Time", "NTP", "192.168.4.2  pool", 4),
                new IniFile.Entry("Time", "FallbackNTP", "", 5),
                new IniFile.Entry("Other", "Key", "a=b", 8)), ini.entries());
    }

    @Test
    void lastAssignmentWinsAndAllKeepsOrder() throws Exception {
        IniFile ini = IniFile.parse(FILE, "[S]\nK=1\nK=2\n[T]\nK=3\n");
        assertEquals(Optional.of("2"), ini.lastEntry("S", "K").map(IniFile.Entry::value));
        assertEquals(2, ini.all("S", "K").size());
        assertEquals(Optional.empty(), ini.lastEntry("S", "Missing").map(IniFile.Entry::value));
        assertEquals(5, ini.lastEntry("T", "K").orElseThrow().line());
    }

    @Test
    void keysAreCaseSensitiveAsInSystemd() throws Exception {
        IniFile ini = IniFile.parse(FILE, "[Time]\nntp=x\n");
        assertEquals(Optional.empty(), ini.lastEntry("Time", "NTP").map(IniFile.Entry::value));
    }

    @Test
    void backslashContinuesALineAndSkipsCommentsInside() throws Exception {
        IniFile ini = IniFile.parse(FILE, "[S]\nK=a \\\n# inside\n  b\nL=c\n");
        assertEquals(Optional.of("a    b"), ini.lastEntry("S", "K").map(IniFile.Entry::value), "as systemd: each piece keeps its blanks");
        assertEquals(2, ini.lastEntry("S", "K").orElseThrow().line());
        assertEquals(5, ini.lastEntry("S", "L").orElseThrow().line());
    }

    @Test
    void assignmentOutsideASectionNamesFileLineAndKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> IniFile.parse(FILE, "\nKey=1\n"));
        assertEquals("/etc/test.conf:2: Key: assignment outside of any [Section]", e.getMessage());
        assertEquals(2, e.line());
        assertEquals("Key", e.key());
        assertEquals(FILE, e.file());
    }

    @Test
    void lineWithoutEqualsIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> IniFile.parse(FILE, "[S]\nnonsense\n"));
        assertEquals("/etc/test.conf:2: missing '=' in 'nonsense'", e.getMessage());
    }

    @Test
    void brokenSectionHeaderIsAnError() {
        assertThrows(ConfigException.class, () -> IniFile.parse(FILE, "[S\nK=1\n"));
        assertThrows(ConfigException.class, () -> IniFile.parse(FILE, "[]\n"));
    }

    @Test
    void systemdsLineRules() throws Exception {
        IniFile ini = IniFile.parse(FILE, "\uFEFF[S]\nA=x\\\\\nB=y \\ \nC=\u00a0v\u00a0\n[ T ]\nD=\t z \r\n");
        assertEquals(Optional.of("x\\\\"), ini.lastEntry("S", "A").map(IniFile.Entry::value), "an escaped backslash does not continue the line");
        assertEquals(Optional.of("y \\"), ini.lastEntry("S", "B").map(IniFile.Entry::value), "nor does one followed by a blank");
        assertEquals(Optional.of("\u00a0v\u00a0"), ini.lastEntry("S", "C").map(IniFile.Entry::value), "only space, tab, CR and LF are white space");
        assertEquals(Optional.of("z"), ini.lastEntry(" T ", "D").map(IniFile.Entry::value), "a section name is taken as written");
    }

    @Test
    void aContinuationAtTheEndOfTheFileIsKept() throws Exception {
        assertEquals(Optional.of("a"), IniFile.parse(FILE, "[S]\nK=a\\").lastEntry("S", "K").map(IniFile.Entry::value));
    }

    @Test
    void badCharactersInASectionNameAreAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> IniFile.parse(FILE, "[a\"b]\n"));
        assertEquals(1, e.line());
    }

    @Test
    void emptyKeyIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> IniFile.parse(FILE, "[S]\n=1\n"));
        assertEquals(2, e.line());
    }

    @Test
    void fileThatIsNotUtf8IsRejectedWithItsName(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.conf");
        Files.write(f, new byte[] {'[', 'S', ']', '\n', 'K', '=', (byte) 0xff, '\n'});
        ConfigException e = assertThrows(ConfigException.class, () -> IniFile.read(f));
        assertEquals(f + ":2: not valid UTF-8 text", e.getMessage(), "with the line of the bad byte");
    }

    @Test
    void readsAFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ok.conf");
        Files.writeString(f, "[S]\r\nK=v\r\n", StandardCharsets.UTF_8);
        IniFile ini = IniFile.read(f);
        assertEquals(Optional.of("v"), ini.lastEntry("S", "K").map(IniFile.Entry::value));
        assertEquals(f, ini.file());
    }
}
