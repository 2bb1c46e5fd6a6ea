package io.shoal.dockermodel;

import io.shoal.api.Event;
import io.shoal.api.EventCursor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cluster event in docker's message shape, and docker's event filters. */
class EventJsonTest {
    static Event event(String type, String action, String id, Map<String, String> attrs) {
        return Event.newBuilder().setType(type).setAction(action).setActorId(id).putAllAttributes(attrs)
                .setTimeNanos(1796323576655000000L).setCursor(EventCursor.newBuilder().setIndex(42)).build();
    }

    @Test
    void writtenAsDockerWritesItsEventsMessage() {
        // docker 20.10: {"Type":"service","Action":"update","Actor":{"ID":"rh6y...","Attributes":{"name":"web",
        // "replicas.new":"3","replicas.old":"2"}},"scope":"swarm","time":1796323576,"timeNano":1796323576655666940}
        Event e = event("service", "update", "rh6yk79udwu5rrwzgn3by2h19", Map.of("replicas.old", "2", "name", "web", "replicas.new", "3"));
        assertEquals("{\"Type\":\"service\",\"Action\":\"update\",\"Actor\":{\"ID\":\"rh6yk79udwu5rrwzgn3by2h19\",\"Attributes\":"
                + "{\"name\":\"web\",\"replicas.new\":\"3\",\"replicas.old\":\"2\"}},\"scope\":\"swarm\",\"time\":1796323576,"
                + "\"timeNano\":1796323576655000000}", Json.write(EventJson.write(e)));
    }

    private static boolean keeps(Event e, String... filters) {
        return EventFilters.matches(EventFilters.filters(Filters.args(List.of(filters), EventFilters.KEYS)), e);
    }

    @Test
    void filtersByTypeActionObjectAndLabel() {
        Event svc = event("service", "create", "abc123", Map.of("name", "web"));
        Event task = event("task", "update", "t1", Map.of("name", "web.1", "service.id", "abc123", "service.name", "web",
                "node.id", "n1", "node.name", "h1"));
        Event node = event("node", "update", "n1", Map.of("name", "h1", "state.old", "ready", "state.new", "down"));
        assertTrue(keeps(svc, "type=service"));
        assertFalse(keeps(task, "type=service"));
        assertTrue(keeps(task, "type=service", "type=task"));
        assertTrue(keeps(svc, "service=web") && keeps(svc, "service=abc") && keeps(task, "service=web"));
        assertFalse(keeps(node, "service=web"));
        assertTrue(keeps(node, "node=h1") && keeps(task, "node=h1") && keeps(task, "node=n1"));
        assertTrue(keeps(svc, "event=create") && !keeps(svc, "event=remove"));
        assertTrue(keeps(node, "label=state.new=down") && !keeps(svc, "label=state.new"));
        assertTrue(keeps(svc, "scope=swarm") && !keeps(svc, "scope=local"));
    }

    @Test
    void unknownKeysAndTypesAreRefused() {
        assertThrows(InvalidSpec.class, () -> keeps(event("service", "create", "x", Map.of()), "colour=red"));
        assertEquals("invalid type filter 'container' (use config, network, node, secret, service, task)",
                assertThrows(InvalidSpec.class, () -> keeps(event("service", "create", "x", Map.of()), "type=container")).getMessage());
    }
}
