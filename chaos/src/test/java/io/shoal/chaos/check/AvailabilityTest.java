package io.shoal.chaos.check;

import io.shoal.chaos.history.Fault;
import io.shoal.chaos.history.Op;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.shoal.chaos.history.Outcome.INDETERMINATE;
import static io.shoal.chaos.history.Outcome.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;

class AvailabilityTest {
    private static final long MS = 1_000_000L;

    @Test
    void theWindowEndsAtTheFirstAcknowledgedWriteInvokedAfterTheFault() {
        List<Op> h = List.of(
                Op.write(0, "r", 1, 90 * MS, 150 * MS, OK),          // invoked before the fault: does not count
                Op.write(1, "r", 2, 110 * MS, 900 * MS, INDETERMINATE),
                Op.read(2, "r", 1, 120 * MS, 130 * MS, OK),           // reads do not count
                Op.cas(1, "r", 1, 3, 1000 * MS, 1600 * MS, OK),
                Op.add(2, "s1", 1200 * MS, 1400 * MS, OK));
        var w = Availability.windows(h, List.of(new Fault("kill-leader", "h1", 100 * MS, 500 * MS),
                new Fault("kill-leader", "h2", 1300 * MS, 1500 * MS), new Fault("pause-follower", "h3", 2000 * MS, 2100 * MS)));
        assertEquals(2, w.size());
        assertEquals(new Availability.Window("kill-leader", 2, 1300, 1300, 1, "kill-leader h1 [0.100 s .. 0.500 s]"), w.get(0));
        assertEquals(new Availability.Window("pause-follower", 1, -1, -1, 1, ""), w.get(1));
    }
}
