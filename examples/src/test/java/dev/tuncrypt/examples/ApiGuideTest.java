package dev.tuncrypt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/api.md's code is {@link ApiGuide}'s, word for word, and it runs. */
class ApiGuideTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void everyJavaBlockOfTheGuideIsARegionOfTheCompiledExample() throws Exception {
        String guide = Files.readString(ROOT.resolve("docs/api.md"));
        String source = Files.readString(ROOT.resolve("examples/src/main/java/dev/tuncrypt/examples/ApiGuide.java"));
        List<String> regions = new ArrayList<>();
        Matcher r = Pattern.compile("(?s)// api\\.md: [a-z-]+\\n(.*?)\\n\\s*// end\\n").matcher(source);
        while (r.find()) {
            regions.add(normalize(r.group(1)));
        }
        Matcher b = Pattern.compile("(?s)```java\\n(.*?)```").matcher(guide);
        int blocks = 0;
        while (b.find()) {
            blocks++;
            assertThat(regions).as("a region of ApiGuide.java equal to this block of docs/api.md:\n" + b.group(1))
                    .contains(normalize(b.group(1)));
        }
        assertThat(blocks).isEqualTo(regions.size()).isGreaterThanOrEqualTo(5);
    }

    /** Indentation and line breaks aside. */
    private static String normalize(String code) {
        return code.strip().replaceAll("\\s+", " ");
    }

    @Test
    void theGuideRunsSameSessionIdOnBothEndsAndTheBindingHolds() throws Exception {
        ApiGuide.Outcome o = ApiGuide.run("correct horse", "correct horse");
        assertThat(o.clientSessionId()).matches("[0-9A-F]{66}").isEqualTo(o.serverSessionId());
        assertThat(o.clientSas()).matches("[0-9A-F]{4}(-[0-9A-F]{4}){3}").isEqualTo(o.serverSas());
        assertThat(o.clientAuthenticated()).isTrue();
        assertThat(o.serverAuthenticated()).isTrue();
        assertThat(o.synOptionsSeen()).as("the plugged protection saw the SYN-ACK's options").isPositive();
        assertThat(o.plainPortWasPlain()).isTrue();
    }

    @Test
    void aWrongPasswordFailsTheBinding() throws Exception {
        ApiGuide.Outcome o = ApiGuide.run("correct horse", "battery staple");
        assertThat(o.clientSessionId()).isEqualTo(o.serverSessionId());
        assertThat(o.clientAuthenticated()).isFalse();
        assertThat(o.serverAuthenticated()).isFalse();
    }
}
