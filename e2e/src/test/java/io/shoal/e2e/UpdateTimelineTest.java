package io.shoal.e2e;

import io.shoal.api.Event;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UpdateTimelineTest {
    private static Event task(String action, String id, long ms, Map<String, String> attributes) {
        return Event.newBuilder().setType("task").setAction(action).setActorId(id).setTimeNanos(ms * 1_000_000L)
                .putAllAttributes(attributes).build();
    }

    @Test
    void aSlotsMilestonesAreOffsetsFromItsNewTask() {
        List<Event> events = List.of(
                task("update", "old1", 1_000, Map.of("name", "web.1", "desiredstate.old", "running", "desiredstate.new", "shutdown")),
                task("create", "new1", 1_000, Map.of("name", "web.1", "state", "new", "desiredstate", "ready")),
                task("update", "new1", 1_010, Map.of("name", "web.1", "state.old", "new", "state.new", "assigned")),
                task("update", "new1", 1_050, Map.of("name", "web.1", "state.old", "preparing", "state.new", "ready")),
                task("update", "old1", 1_060, Map.of("name", "web.1", "state.old", "running", "state.new", "shutdown")),
                task("update", "new1", 1_080, Map.of("name", "web.1", "desiredstate.old", "ready", "desiredstate.new", "running")),
                task("update", "new1", 1_150, Map.of("name", "web.1", "state.old", "ready", "state.new", "running")),
                task("create", "new2", 1_170, Map.of("name", "web.2", "state", "new", "desiredstate", "ready")),
                task("service", "s", 1_200, Map.of()));
        List<String> lines = UpdateTimeline.of(events).report();
        assertEquals("2 slots replaced; offsets from the new task's creation, p50 / p90 / max over slots:", lines.get(0));
        assertEquals(List.of(
                "  placed (ASSIGNED)              10 / 10 / 10 ms",
                "  prepared (READY)               50 / 50 / 50 ms",
                "  old task stopped (SHUTDOWN)    60 / 60 / 60 ms",
                "  let start (desired RUNNING)    80 / 80 / 80 ms",
                "  STARTING                       - ms",
                "  RUNNING                        150 / 150 / 150 ms",
                "a RUNNING report -> the next new task: 20 / 20 / 20 ms"), lines.subList(1, lines.size()));
    }

    @Test
    void spreadIsMedianNinetiethByRankAndMax() {
        assertEquals("6 / 9 / 10", UpdateTimeline.spread(List.of(10L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L)));
        assertEquals("-", UpdateTimeline.spread(List.of()));
    }
}
