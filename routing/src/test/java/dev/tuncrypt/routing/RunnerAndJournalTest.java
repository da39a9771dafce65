package dev.tuncrypt.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunnerAndJournalTest {
    @TempDir
    Path dir;

    @Test
    void aMissingToolIsTyped() {
        assertThatThrownBy(() -> CommandRunner.local().run(Command.of("tuncrypt-no-such-tool", "x")))
                .isInstanceOf(ToolMissingException.class)
                .hasMessage("'tuncrypt-no-such-tool' is not installed (apt-get install tuncrypt-no-such-tool)")
                .satisfies(e -> assertThat(((ToolMissingException) e).tool()).isEqualTo("tuncrypt-no-such-tool"));
    }

    @Test
    void aFailingCommandCarriesItsLineAndOutput() throws Exception {
        assertThat(CommandRunner.local().run(new Command(List.of("cat"), "abc")).stdout()).isEqualTo("abc");
        assertThatThrownBy(() -> CommandRunner.local().check(Command.of("sh", "-c", "echo oops >&2; exit 3")))
                .isInstanceOf(CommandFailedException.class)
                .hasMessage("'sh -c 'echo oops >&2; exit 3'' failed (exit 3): oops")
                .satisfies(e -> assertThat(((CommandFailedException) e).exitCode()).isEqualTo(3));
    }

    @Test
    void journalRoundTripKeepsOrderAndRejectsGarbage() throws Exception {
        List<SysctlJournal.Entry> entries = List.of(new SysctlJournal.Entry("net.ipv4.conf.eth0.forwarding", "1"),
                new SysctlJournal.Entry("net.ipv4.ip_forward", "0"), new SysctlJournal.Entry("net.ipv4.conf.tun0.rp_filter", "1"));
        assertThat(SysctlJournal.read(dir)).isEmpty();
        SysctlJournal.write(dir, "tun0", entries);
        assertThat(SysctlJournal.read(dir)).isEqualTo(entries);
        assertThat(Files.readString(SysctlJournal.file(dir))).startsWith("# tuncrypt routing");
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList()).containsExactly(SysctlJournal.FILE_NAME);
        Files.writeString(SysctlJournal.file(dir), "garbage\n");
        assertThatThrownBy(() -> SysctlJournal.read(dir)).isInstanceOf(IOException.class).hasMessageContaining("malformed");
        SysctlJournal.delete(dir);
        assertThat(SysctlJournal.exists(dir)).isFalse();
    }

    @Test
    void commandsRenderForAShell() {
        assertThat(Command.of("ip", "-4", "rule", "add", "pref", "5201", "to", "198.18.5.0/24").render())
                .isEqualTo("ip -4 rule add pref 5201 to 198.18.5.0/24");
        assertThat(Command.of("echo", "a b", "it's").render()).isEqualTo("echo 'a b' 'it'\\''s'");
    }
}
