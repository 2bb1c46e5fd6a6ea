package io.shoal.chaos.check;

import io.shoal.chaos.history.Op;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.shoal.chaos.history.Outcome.FAILED;
import static io.shoal.chaos.history.Outcome.INDETERMINATE;
import static io.shoal.chaos.history.Outcome.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SetCheckTest {
    private static final List<Op> ADDS = List.of(Op.add(0, "a", 0, 1, OK), Op.add(1, "b", 0, 1, INDETERMINATE),
            Op.add(2, "c", 0, 1, INDETERMINATE), Op.add(0, "d", 2, 3, FAILED));

    @Test
    void acknowledgedPresentAndIndeterminateEitherWayIsFine() {
        var v = SetCheck.check(ADDS, Set.of("a", "b"));
        assertTrue(v.ok(), v.toString());
        assertEquals(4, v.attempted());
        assertEquals(1, v.acknowledged());
        assertEquals(2, v.indeterminate());
        assertEquals(1, v.indeterminatePresent());
    }

    @Test
    void aMissingAcknowledgedAddIsLost() {
        var v = SetCheck.check(ADDS, Set.of("b", "c"));
        assertFalse(v.ok());
        assertEquals(List.of("a"), v.lost());
    }

    @Test
    void anElementNobodyAddedOrARefusedOneIsNotFine() {
        var v = SetCheck.check(ADDS, Set.of("a", "d", "zz"));
        assertEquals(List.of("zz"), v.unexpected());
        assertEquals(List.of("d"), v.refusedButPresent());
        assertFalse(v.ok());
    }
}
