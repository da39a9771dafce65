package dev.tuncrypt.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ControlAddressTest {
    @Test
    void parsesTcpcryptdsSyntax() {
        assertThat(ControlAddress.parse("/run/tuncryptd.control"))
                .isEqualTo(new ControlAddress.UnixPath(Path.of("/run/tuncryptd.control")));
        assertThat(ControlAddress.parse("@tuncrypt")).isEqualTo(new ControlAddress.UnixAbstract("tuncrypt"));
        assertThat(ControlAddress.parse(":6666")).isEqualTo(new ControlAddress.Udp(6666));
        assertThat(ControlAddress.DEFAULT.toString()).isEqualTo("/run/tuncryptd/control");
    }

    @Test
    void rejectsWithAReason() {
        for (String bad : new String[] {"", "relative/path", ":", ":0", ":65536", ":12x", ":-1", "@",
                "/" + "x".repeat(120)}) {
            assertThatThrownBy(() -> ControlAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining("\n");
        }
    }
}
