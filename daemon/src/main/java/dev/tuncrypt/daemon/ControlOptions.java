package dev.tuncrypt.daemon;

import dev.tuncrypt.client.ControlAddress;
import dev.tuncrypt.daemon.control.ControlSocketOptions;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code -u ADDR} and {@code --timeout} of the commands that talk to tuncryptd. */
final class ControlOptions {
    @Option(names = {"-u", "--control"}, paramLabel = "ADDR", converter = ControlOptions.ClientAddressConverter.class,
            defaultValue = ControlAddress.DEFAULT_VALUE,
            description = "tuncryptd's control socket: /path (unix datagram socket), @name (abstract) or "
                    + ":port (UDP on 127.0.0.1). Default: $" + ControlAddress.ENVIRONMENT
                    + " if set, else " + ControlAddress.DEFAULT_PATH + ".")
    ControlAddress address;

    @Option(names = "--timeout", paramLabel = "MILLIS", defaultValue = "3000",
            description = "How long to wait for the daemon's reply (default: ${DEFAULT-VALUE} ms).")
    long timeoutMillis;

    /** As the daemon's converter, but 'none' names no daemon to ask. */
    static final class ClientAddressConverter implements picocli.CommandLine.ITypeConverter<ControlAddress> {
        @Override
        public ControlAddress convert(String value) {
            if ("none".equals(value)) {
                throw new picocli.CommandLine.TypeConversionException("'none' is no control socket to ask");
            }
            return new ControlSocketOptions.AddressConverter().convert(value);
        }
    }

    Duration timeout() {
        return Duration.ofMillis(Math.max(1, timeoutMillis));
    }
}
