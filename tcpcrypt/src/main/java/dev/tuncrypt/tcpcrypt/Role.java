package dev.tuncrypt.tcpcrypt;

/**
 * TCP-ENO roles. In tcpcryptd 0.5 role A is {@code ROLE_CLIENT}, the host that received a
 * SYN-ACK carrying ENO and sends Init1 (normally the active opener); role B is
 * {@code ROLE_SERVER}, the Init2 sender ({@code do_output_pkconf_rcvd} and
 * {@code do_input_pkconf_sent} in {@code src/tcpcrypt.c}).
 */
public enum Role {
    /** Active opener, Init1 sender, "client". */
    A,
    /** Passive opener, Init2 sender, "server". */
    B;

    /** The other role. */
    public Role peer() {
        return this == A ? B : A;
    }
}
