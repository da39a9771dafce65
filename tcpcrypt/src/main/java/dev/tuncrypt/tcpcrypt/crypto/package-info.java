/**
 * Cryptographic building blocks: ECDH on P-256/P-521 through Bouncy Castle's lightweight API
 * (faster than the JDK's, docs/platform.md), HMAC-SHA256 key derivation and AES keys through the
 * JDK.
 */
package dev.tuncrypt.tcpcrypt.crypto;
