package dev.tuncrypt.tcpstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SeqNumTest {

    @Test
    void comparesAcrossTheWrap() {
        int beforeWrap = 0xFFFF_FFF0;
        int afterWrap = 0x0000_0010;
        assertTrue(SeqNum.lt(beforeWrap, afterWrap));
        assertTrue(SeqNum.gt(afterWrap, beforeWrap));
        assertEquals(0x20, SeqNum.diff(afterWrap, beforeWrap));
        assertEquals(afterWrap, SeqNum.add(beforeWrap, 0x20));
        assertEquals(afterWrap, SeqNum.max(beforeWrap, afterWrap));
        assertEquals(beforeWrap, SeqNum.min(afterWrap, beforeWrap));
        assertTrue(SeqNum.inWindow(0x0000_0005, beforeWrap, 0x40));
        assertFalse(SeqNum.inWindow(0x0000_0030, beforeWrap, 0x40));
        assertEquals(0xFFFF_FFF0L, SeqNum.toUnsigned(beforeWrap));
        assertEquals(beforeWrap, SeqNum.fromUnsigned(0xFFFF_FFF0L));
    }

    @Property
    void laterByLessThanHalfTheSpaceIsGreater(@ForAll int a, @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) int d) {
        int b = SeqNum.add(a, d);
        assertTrue(SeqNum.lt(a, b));
        assertTrue(SeqNum.le(a, b));
        assertTrue(SeqNum.gt(b, a));
        assertTrue(SeqNum.ge(b, a));
        assertFalse(SeqNum.lt(b, a));
        assertFalse(SeqNum.ge(a, b));
        assertEquals(b, SeqNum.max(a, b));
        assertEquals(a, SeqNum.min(b, a));
        assertEquals(d, SeqNum.diff(b, a));
        assertEquals(-d, SeqNum.diff(a, b));
    }

    @Property
    void equalNumbersAreNeitherLessNorGreater(@ForAll int a) {
        assertFalse(SeqNum.lt(a, a));
        assertFalse(SeqNum.gt(a, a));
        assertTrue(SeqNum.le(a, a));
        assertTrue(SeqNum.ge(a, a));
        assertEquals(0, SeqNum.diff(a, a));
    }

    @Property
    void addAndDiffAreInverse(@ForAll int a, @ForAll int n) {
        assertEquals(n, SeqNum.diff(SeqNum.add(a, n), a));
        assertEquals(SeqNum.toUnsigned(a) + Integer.toUnsignedLong(n) & 0xFFFF_FFFFL, SeqNum.toUnsigned(SeqNum.add(a, n)));
    }

    @Property
    void inWindowMatchesUnsignedArithmetic(@ForAll int start,
                                           @ForAll @IntRange(min = 0, max = 1 << 30) int len,
                                           @ForAll int seq) {
        long offset = (SeqNum.toUnsigned(seq) - SeqNum.toUnsigned(start)) & 0xFFFF_FFFFL;
        assertEquals(offset < len, SeqNum.inWindow(seq, start, len));
    }

    @Property
    void windowEdges(@ForAll int start, @ForAll @IntRange(min = 1, max = 1 << 30) int len) {
        assertTrue(SeqNum.inWindow(start, start, len));
        assertTrue(SeqNum.inWindow(SeqNum.add(start, len - 1), start, len));
        assertFalse(SeqNum.inWindow(SeqNum.add(start, len), start, len));
        assertFalse(SeqNum.inWindow(SeqNum.add(start, -1), start, len));
        assertFalse(SeqNum.inWindow(start, start, 0));
    }
}
