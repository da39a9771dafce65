package dev.tuncrypt.client.transport;

/**
 * A datagram sender's credentials as the kernel reported them (SCM_CREDENTIALS).
 *
 * @param pid sender's process
 * @param uid sender's user
 * @param gid sender's group
 */
public record Credentials(int pid, int uid, int gid) {}
