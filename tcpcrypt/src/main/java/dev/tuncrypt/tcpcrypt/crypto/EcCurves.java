package dev.tuncrypt.tcpcrypt.crypto;

import dev.tuncrypt.tcpcrypt.Tep;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;

/** Bouncy Castle domain parameters (the optimized custom curve implementations) per TEP. */
final class EcCurves {
    private static final ECDomainParameters P256 = load(Tep.ECDHE_P256);
    private static final ECDomainParameters P521 = load(Tep.ECDHE_P521);

    private EcCurves() {}

    static ECDomainParameters domain(Tep tep) {
        return switch (tep) {
            case ECDHE_P256 -> P256;
            case ECDHE_P521 -> P521;
            default -> throw new IllegalArgumentException(tep + " is not a NIST curve");
        };
    }

    private static ECDomainParameters load(Tep tep) {
        X9ECParameters x9 = CustomNamedCurves.getByName(tep.curveName());
        if (x9 == null) {
            throw new IllegalStateException("Bouncy Castle lacks " + tep.curveName());
        }
        return new ECDomainParameters(x9);
    }
}
