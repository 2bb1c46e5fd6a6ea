package io.shoal.dockermodel;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shoal.api.Event;

/**
 * A store change as docker's {@code events} message: Type, Action, Actor (ID and Attributes),
 * scope {@code swarm}, time (seconds) and timeNano, in docker's order and spelling.
 */
public final class EventJson {
    private EventJson() {}

    public static ObjectNode write(Event e) {
        ObjectNode o = Json.object();
        o.put("Type", e.getType());
        o.put("Action", e.getAction());
        ObjectNode actor = o.putObject("Actor");
        actor.put("ID", e.getActorId());
        actor.set("Attributes", Json.map(e.getAttributesMap()));
        o.put("scope", "swarm");
        o.put("time", Math.floorDiv(e.getTimeNanos(), 1_000_000_000L));
        o.put("timeNano", e.getTimeNanos());
        return o;
    }
}
