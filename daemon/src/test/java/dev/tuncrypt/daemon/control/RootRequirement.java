package dev.tuncrypt.daemon.control;

import dev.tuncrypt.tcpstack.testsupport.Requirements;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Tests that need root: in CI (root) they must run, elsewhere they are skipped with the reason. */
public final class RootRequirement {
    private RootRequirement() {}

    public static void require(String why) {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (Requirements.inCi()) {
            Assertions.assertTrue(root, "needs root: " + why);
        } else {
            Assumptions.assumeTrue(root, "needs root: " + why);
        }
    }
}
