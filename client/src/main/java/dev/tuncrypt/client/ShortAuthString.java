package dev.tuncrypt.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.StringJoiner;

/**
 * Short authentication strings for a tcpcrypt session ID, for two people to read to each other
 * over another channel: equal strings mean both ends hold the same session, so no one sits in
 * the middle. Both forms are taken from SHA-256("tuncrypt-sas" || session ID) rather than the
 * session ID itself, whose first byte names the TEP and is the same for every session.
 * Four hex groups or five words carry 64 or 40 bits; a man in the middle gets one try per
 * connection (compare the strings before trusting the connection).
 */
public final class ShortAuthString {
    private static final byte[] LABEL = "tuncrypt-sas".getBytes(StandardCharsets.US_ASCII);

    /** 256 words, one per byte value: short, distinct, common English. */
    static final String[] WORDS = (
            "able acid aged also area army away baby back ball band bank base bath bear beat bell belt best bird "
            + "blow blue boat body bone book boot born boss both bowl bulk burn bush busy cake call calm camp card "
            + "care case cash cast cell chat chip city clay club coal coat code cold come cook cool cope copy core "
            + "cost crew crop dark data date dawn deal dear deck deep desk dial diet dirt dish disk dock door dose "
            + "down draw drop drum duck dust duty each earn east easy edge else even ever exit face fact fair fall "
            + "farm fast fear feed feel file fill film find fine fire firm fish five flag flat flow folk food foot "
            + "fork form fort four free frog fuel full fund gain game gate gear gift girl give glad goal gold golf "
            + "good gray grow gulf hair half hall hand hard harm hawk head heat help herb hero high hill hint hold "
            + "hole home hook hope horn host hour huge hunt idea inch iron item jazz join joke jump jury keen keep "
            + "kick kind king kite knee knot lace lake lamp land lane last lawn lead leaf lean left lens life lift "
            + "lime line link lion list load loan lock loft long loop lord loud love luck lung made mail main malt "
            + "many mark mask mass meal meat mild milk mill mind mine mint mist mode mood moon moss most moth move "
            + "nail name navy neat neck nest news nice nine node noon nose note oval oven page")
            .split(" ");

    private ShortAuthString() {}

    private static byte[] digest(byte[] sessionId) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(LABEL);
            return d.digest(sessionId);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code groups} groups of four upper-case hex digits joined by '-', e.g. "3F2A-91C0-77D1-0B4E". */
    public static String hexGroups(byte[] sessionId, int groups) {
        if (groups < 1 || groups > 16) {
            throw new IllegalArgumentException("groups must be 1 to 16: " + groups);
        }
        byte[] d = digest(sessionId);
        StringJoiner j = new StringJoiner("-");
        HexFormat hex = HexFormat.of().withUpperCase();
        for (int i = 0; i < groups; i++) {
            j.add(hex.formatHex(d, 2 * i, 2 * i + 2));
        }
        return j.toString();
    }

    /** {@code count} words (8 bits each) joined by spaces, e.g. "lamp gold oven park fish". */
    public static String words(byte[] sessionId, int count) {
        if (count < 1 || count > 32) {
            throw new IllegalArgumentException("count must be 1 to 32: " + count);
        }
        byte[] d = digest(sessionId);
        StringJoiner j = new StringJoiner(" ");
        for (int i = 0; i < count; i++) {
            j.add(WORDS[Byte.toUnsignedInt(d[i])]);
        }
        return j.toString();
    }
}
