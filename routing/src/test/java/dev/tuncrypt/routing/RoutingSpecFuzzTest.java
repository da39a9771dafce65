package dev.tuncrypt.routing;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz target for the routing specs of the command line and config file
 * (--steer/--require destinations, prefixes, port lists, firewall marks): anything malformed is
 * an {@link InvalidPlanException}, never another exception.
 */
class RoutingSpecFuzzTest {

    @FuzzTest
    void specs(String text) {
        if (text == null) {
            return; // Jazzer's null, not a string the parsers are given
        }
        try {
            Destination.parse(text);
        } catch (InvalidPlanException e) {
            // typed
        }
        try {
            Prefix.parse(text);
        } catch (InvalidPlanException e) {
            // typed
        }
        try {
            PortRange.parseList(text);
        } catch (InvalidPlanException e) {
            // typed
        }
        try {
            FirewallMark.parse(text);
        } catch (InvalidPlanException e) {
            // typed
        }
    }
}
