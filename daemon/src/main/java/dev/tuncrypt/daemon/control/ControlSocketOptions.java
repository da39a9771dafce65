package dev.tuncrypt.daemon.control;

import dev.tuncrypt.client.ControlAddress;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * tuncryptd's control-socket options, as a picocli mixin for the daemon's command line:
 * {@code -u ADDR} (tcpcryptd's flag), {@code --control-mode}, {@code --control-owner},
 * {@code --control-group}, {@code --control-presets-any-user}. {@link #address()} and
 * {@link #permissions()} feed {@link ControlServer#start}.
 */
public final class ControlSocketOptions {
    @Option(names = {"-u", "--control"}, paramLabel = "ADDR", converter = AddressConverter.class,
            defaultValue = ControlAddress.DEFAULT_VALUE,
            description = "Control socket: /path (unix datagram socket), @name (abstract), :port (UDP on "
                    + "127.0.0.1, read-only) or none. Default: $" + ControlAddress.ENVIRONMENT
                    + " if set, else " + ControlAddress.DEFAULT_PATH + ".")
    ControlAddress address;

    @Option(names = "--control-mode", paramLabel = "OCTAL", defaultValue = "0666", converter = ModeConverter.class,
            description = "Permissions of the control socket file; writing to it is what lets a user ask "
                    + "(default: 0666, every local user may read session IDs and netstat).")
    int mode;

    @Option(names = "--control-owner", paramLabel = "USER", description = "Owner of the control socket file.")
    String owner;

    @Option(names = "--control-group", paramLabel = "GROUP", description = "Group of the control socket file.")
    String group;

    @Option(names = "--control-presets-any-user",
            description = "Let any local user set before-connect options (TCP_CRYPT_ENABLE, TCP_CRYPT_APP_SUPPORT) "
                    + "as tcpcryptd did; by default only root may.")
    boolean presetsFromAnyUser;

    /** The control socket's address, or null for {@code -u none}. */
    public ControlAddress address() {
        return address;
    }

    /** The socket file's mode, owner and group, and who may preset options. */
    public SocketPermissions permissions() {
        return new SocketPermissions(mode, Optional.ofNullable(owner), Optional.ofNullable(group), presetsFromAnyUser);
    }

    /** picocli converter for {@link ControlAddress#parse}. */
    public static final class AddressConverter implements ITypeConverter<ControlAddress> {
        @Override
        public ControlAddress convert(String value) {
            if ("none".equals(value)) {
                return null;
            }
            try {
                return ControlAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** picocli converter for an octal mode. */
    public static final class ModeConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return SocketPermissions.parseMode(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
