/**
 * TCP-ENO as both wire dialects share it: the suboption block and its codec
 * ({@link dev.tuncrypt.tcpcrypt.eno.EnoSuboptions}, {@link dev.tuncrypt.tcpcrypt.eno.EnoSuboption}),
 * the option base whose subclasses add each dialect's header and builders
 * ({@link dev.tuncrypt.tcpcrypt.eno.EnoWireOption}: {@code v05.EnoOption} for kind 253/ExID 0x454E,
 * {@code rfc8548.EnoOption8547} for kind 69), what negotiation decided
 * ({@link dev.tuncrypt.tcpcrypt.eno.EnoOutcome}), and the resumption state
 * ({@link dev.tuncrypt.tcpcrypt.eno.CachedSession}, {@link dev.tuncrypt.tcpcrypt.eno.SessionCache},
 * {@link dev.tuncrypt.tcpcrypt.eno.ResumeLookup}). Imports no dialect package.
 */
package dev.tuncrypt.tcpcrypt.eno;
