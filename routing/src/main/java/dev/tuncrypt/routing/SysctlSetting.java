package dev.tuncrypt.routing;

/**
 * A sysctl the plan needs, with why.
 *
 * @param key dotted name, {@code net.ipv4.ip_forward}
 * @param value the value the plan sets
 * @param propagatesTo a sysctl pattern (regular expression over dotted names) whose values the
 *     kernel overwrites when {@code key} is written ({@code net.ipv4.ip_forward} rewrites every
 *     {@code net.ipv4.conf.*.forwarding}), recorded too so they are restored exactly; or null
 */
public record SysctlSetting(String key, String value, String propagatesTo) {

    /** The command that sets it. */
    public Command command() {
        return Command.of("sysctl", "-q", "-w", key + "=" + value);
    }
}
