package io.shoal.e2e;

import io.shoal.api.Event;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class TaskEventsTest {
    private static Event event(String action, String id, String... attrs) {
        Event.Builder b = Event.newBuilder().setType("task").setAction(action).setActorId(id);
        for (int i = 0; i < attrs.length; i += 2) {
            b.putAttributes(attrs[i], attrs[i + 1]);
        }
        return b.build();
    }

    @Test
    void countsTasksCreatedSinceTheWatchThatRunWithRunningDesired() {
        TaskEvents t = new TaskEvents();
        t.seen(event("update", "old", "state.old", "starting", "state.new", "running")); // created before the watch
        t.seen(event("create", "a", "state", "new", "desiredstate", "running"));
        t.seen(event("create", "b", "state", "new", "desiredstate", "ready"));
        t.seen(Event.newBuilder().build()); // a progress mark
        assertEquals(0, t.runningCreated());
        t.seen(event("update", "a", "state.old", "starting", "state.new", "running"));
        t.seen(event("update", "b", "state.old", "starting", "state.new", "running"));
        assertEquals(1, t.runningCreated(), "b's desired state is not running yet");
        t.seen(event("update", "b", "desiredstate.old", "ready", "desiredstate.new", "running"));
        assertEquals(2, t.runningCreated());
        t.seen(event("update", "a", "desiredstate.old", "running", "desiredstate.new", "shutdown"));
        assertEquals(1, t.runningCreated());
        t.seen(event("remove", "b"));
        assertEquals(0, t.runningCreated());
    }

    @Test
    void theConditionIsCheckedAtTheStartAndWhenTheEventsSayItMayHold() throws Exception {
        TaskEvents t = new TaskEvents();
        AtomicInteger checks = new AtomicInteger();
        long none = t.await(1, () -> checks.incrementAndGet() < 0, System.nanoTime() + Duration.ofMillis(200).toNanos());
        assertEquals(-1, none);
        assertEquals(1, checks.get(), "once at the start, then only after an event or a second");

        checks.set(0);
        Thread feeder = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 3; i++) {
                t.seen(event("create", "t" + i, "state", "running", "desiredstate", "running"));
            }
        });
        long at = t.await(3, () -> {
            checks.incrementAndGet();
            return t.runningCreated() >= 3;
        }, System.nanoTime() + Duration.ofSeconds(60).toNanos());
        feeder.join();
        assertNotEquals(-1, at);
        assertEquals(3, t.runningCreated());
    }
}
