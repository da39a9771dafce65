package dev.tuncrypt.daemon;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Coverage-guided fuzz targets for what the daemon parses from text: the config file, and the
 * addresses and sizes of its options. Anything malformed is a {@link UsageException}, never
 * another exception.
 */
class ConfigFuzzTest {
    private static final CommandLine.Model.CommandSpec SPEC = new CommandLine(new DaemonOptions()).getCommandSpec();
    private static Path file;

    @FuzzTest
    void configFile(byte[] text) throws IOException {
        if (file == null) {
            file = Files.createTempFile("tuncryptd-fuzz", ".conf");
            file.toFile().deleteOnExit();
        }
        Files.write(file, text);
        try {
            ConfigFile.arguments(file, SPEC);
        } catch (UsageException e) {
            // typed
        }
    }

    @FuzzTest
    void optionValues(String text) {
        if (text == null) {
            return; // Jazzer's null, not a string the parsers are given
        }
        try {
            Cidr.parse(text);
        } catch (UsageException e) {
            // typed
        }
        try {
            HostPort.parse(text, 7);
        } catch (UsageException e) {
            // typed
        }
        try {
            DeviceOptions.parseSize("--memory", text);
        } catch (UsageException e) {
            // typed
        }
    }
}
