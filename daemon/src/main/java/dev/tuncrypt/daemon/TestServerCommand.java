package dev.tuncrypt.daemon;

import dev.tuncrypt.daemon.selftest.SelfTest;
import dev.tuncrypt.daemon.selftest.SelfTestServer;
import dev.tuncrypt.tcpcrypt.CryptMode;
import dev.tuncrypt.tcpcrypt.TcpCrypt;
import dev.tuncrypt.tcpcrypt.TcpCryptConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tuncrypt test-server}: the server {@code tuncryptd -s} tests against. An embedded stack
 * with tcpcrypt on its own TUN device (as {@code tuncrypt nc -l}) answers every connection to
 * {@code --port} with the session ID it sees, or {@code plain}, and closes; it runs until SIGINT
 * or SIGTERM. One line per answered connection goes to standard output.
 */
@Command(
        name = "test-server",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        description = {
            "Answers every TCP connection with the tcpcrypt session ID it sees (upper-case hex and a"
                    + " newline, or 'plain'), then closes: the server for 'tuncryptd -s HOST' self-tests."
                    + " Runs its own stack on a TUN device, as 'tuncrypt nc -l' does, until SIGINT or SIGTERM.",
            ""
        },
        footer = {
            "",
            "Example (as root, in a namespace of your own):",
            "  tuncrypt test-server --tun tt0 --tun-addr 198.18.7.1/24 --stack-addr 198.18.7.2",
            "  tuncryptd ... -s 198.18.7.2 --require-self-test     # on another host",
            "",
            "Exit status: 0 after SIGINT/SIGTERM; 1 when the device cannot be set up; 2 for a bad",
            "command line."
        })
final class TestServerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOptions device = new DeviceOptions();

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "" + SelfTest.DEFAULT_PORT,
            description = "Port to answer on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--crypt", paramLabel = "MODE", defaultValue = "default",
            description = "tcpcrypt: default (encrypt when the client speaks it), never, or always. Default: ${DEFAULT-VALUE}.")
    CryptMode crypt;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        try {
            device.validate();
            if (port < 1 || port > 65535) {
                throw new UsageException("--port " + port + ": must be 1-65535");
            }
        } catch (UsageException e) {
            err.println("tuncrypt test-server: " + e.getMessage() + " (see tuncrypt test-server --help)");
            return TuncryptdMain.EXIT_USAGE;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTermination(stop::countDown);
        try (TcpCrypt tcpcrypt = TcpCrypt.create(TcpCryptConfig.DEFAULT.withMode(crypt));
                StackHost host = StackHost.open(device, b -> b.protection(tcpcrypt.protections()));
                SelfTestServer server = SelfTestServer.start(host.stack(), port, (socket, line) -> {
                    synchronized (out) {
                        out.println(socket.remoteAddress().getAddress().getHostAddress() + " "
                                + socket.remoteAddress().getPort() + " " + line);
                        out.flush();
                    }
                })) {
            err.println("tuncrypt test-server: " + host.describe() + "; answering on port " + server.port());
            err.flush();
            stop.await();
            return 0;
        } catch (DaemonException | IOException e) {
            err.println("tuncrypt test-server: " + e.getMessage());
            return TuncryptdMain.EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
