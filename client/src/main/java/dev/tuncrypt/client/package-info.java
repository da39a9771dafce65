/**
 * Talking to tuncryptd's control socket from a JVM application, the counterpart of tcpcryptd's
 * libtcpcrypt: {@link dev.tuncrypt.client.ControlClient} asks for the tcpcrypt session of the
 * application's own socket, {@link dev.tuncrypt.client.ShortAuthString} and
 * {@link dev.tuncrypt.client.SessionBinding} turn a session ID into something people compare or
 * bind it to a shared password. Depends on the JDK only. See docs/control-protocol.md.
 */
package dev.tuncrypt.client;
