package dev.tuncrypt.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * tcpcryptd's {@code -U USER} and {@code -J DIR}: once the TUN device, the routing and the
 * control socket are set up, the daemon needs no privilege at all (it only reads and writes the
 * open TUN descriptor and sockets), so it changes to USER's uid and gid (dropping every
 * capability, as Linux does on leaving uid 0 without PR_SET_KEEPCAPS) after an optional chroot.
 * What must be undone as root when it stops (routing, sysctls, the control socket file) is then
 * left to a small root watcher started before the drop, which runs {@code tuncryptd --cleanup}
 * once the daemon has exited.
 */
final class Privileges {
    private static final Logger log = LoggerFactory.getLogger(Privileges.class);

    /** The libc calls a privilege drop needs; public only because jnr-ffi implements it. */
    public interface Calls {
        int chroot(String path);

        int chdir(String path);

        int setgroups(long size, int[] list);

        int setresgid(int rgid, int egid, int sgid);

        int setresuid(int ruid, int euid, int suid);

        int getuid();

        int geteuid();
    }

    /** A user to become. */
    record Account(String name, int uid, int gid) {}

    private Privileges() {}

    /** Finds USER (a name or a numeric uid) in /etc/passwd. */
    static Account lookup(String user) throws DaemonException {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/etc/passwd"));
        } catch (IOException e) {
            throw new DaemonException("-U " + user + ": cannot read /etc/passwd: " + e.getMessage(), e);
        }
        for (String line : lines) {
            String[] f = line.split(":", -1);
            if (f.length < 4) {
                continue;
            }
            if (f[0].equals(user) || f[2].equals(user)) {
                int uid = Integer.parseInt(f[2]);
                if (uid == 0) {
                    throw new DaemonException("-U " + user + ": that is root; give an unprivileged user");
                }
                return new Account(f[0], uid, Integer.parseInt(f[3]));
            }
        }
        throw new DaemonException("-U " + user + ": no such user in /etc/passwd");
    }

    /** Checks, before anything is set up, that the JVM can live in {@code jail}. */
    static void checkJail(Path jail) throws DaemonException {
        if (!Files.isDirectory(jail)) {
            throw new DaemonException("-J " + jail + ": not a directory");
        }
        // The JVM loads classes and reads its own files lazily, by path: inside the jail the
        // JDK and tuncrypt's build must be found where they are now (bind mounts, or systemd's
        // RootDirectory= with BindReadOnlyPaths=; see docs/operations.md).
        for (String needed : new String[] {System.getProperty("java.home"), System.getProperty("tuncrypt.home")}) {
            if (needed != null && !Files.isDirectory(jail.resolve(needed.substring(1)))) {
                throw new DaemonException("-J " + jail + ": " + needed + " is not inside the jail; bind-mount it"
                    + " read-only at " + jail.resolve(needed.substring(1)) + " first");
            }
        }
    }

    /** Chroots to {@code jail} (if given) and becomes {@code account}; verifies it cannot go back. */
    static void drop(Account account, Path jail) throws DaemonException {
        Calls c = LibraryLoader.create(Calls.class).load("c");
        if (c.geteuid() != 0) {
            throw new DaemonException("-U: the daemon is not running as root, so there is nothing to drop");
        }
        if (jail != null) {
            warmUp();
            checkJail(jail);
            if (c.chdir(jail.toString()) != 0 || c.chroot(".") != 0 || c.chdir("/") != 0) {
                throw new DaemonException("-J " + jail + ": chroot failed: " + errno());
            }
        }
        if (c.setgroups(1, new int[] {account.gid()}) != 0) {
            throw new DaemonException("-U " + account.name() + ": setgroups failed: " + errno());
        }
        if (c.setresgid(account.gid(), account.gid(), account.gid()) != 0) {
            throw new DaemonException("-U " + account.name() + ": setresgid failed: " + errno());
        }
        if (c.setresuid(account.uid(), account.uid(), account.uid()) != 0) {
            throw new DaemonException("-U " + account.name() + ": setresuid failed: " + errno());
        }
        if (c.getuid() != account.uid() || c.geteuid() != account.uid() || c.setresuid(0, 0, 0) == 0) {
            throw new DaemonException("-U " + account.name() + ": privileges were not dropped");
        }
        log.info("running as {} (uid {}, gid {}){}, no capabilities", account.name(), account.uid(), account.gid(),
                jail != null ? " in " + jail : "");
    }

    /**
     * The JDK reads some files the first time a service is used (the JCE policy directory,
     * provider configuration); inside the jail they are gone, so use every service once before.
     */
    private static void warmUp() throws DaemonException {
        try {
            javax.crypto.Mac.getInstance("HmacSHA256").init(new javax.crypto.spec.SecretKeySpec(new byte[32], "HmacSHA256"));
            javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
            javax.crypto.Cipher.getInstance("ChaCha20-Poly1305");
            javax.crypto.KeyAgreement.getInstance("ECDH");
            javax.crypto.KeyAgreement.getInstance("XDH");
            java.security.KeyFactory.getInstance("EC");
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
            g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            g.generateKeyPair();
            java.security.MessageDigest.getInstance("SHA-256");
            new java.security.SecureRandom().nextInt();
        } catch (java.security.GeneralSecurityException e) {
            throw new DaemonException("-J: cannot prepare the crypto providers before the chroot: " + e.getMessage(), e);
        }
    }

    private static String errno() {
        return "errno " + Runtime.getSystemRuntime().getLastError();
    }
}
