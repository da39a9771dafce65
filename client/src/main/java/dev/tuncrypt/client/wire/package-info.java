/**
 * The control protocol's wire format: tcpcryptd 0.5's {@code struct tcpcrypt_ctl} and
 * {@code struct tc_netstat} byte for byte, and tuncrypt's own option payloads. Pure codecs,
 * shared by the daemon's server and the client.
 */
package dev.tuncrypt.client.wire;
