/**
 * Datagram sockets for the control protocol: AF_UNIX datagrams through the JDK's foreign-function
 * API (with the sender's credentials, SCM_CREDENTIALS) and UDP on 127.0.0.1.
 */
package dev.tuncrypt.client.transport;
