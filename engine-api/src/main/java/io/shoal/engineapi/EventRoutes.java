package io.shoal.engineapi;

import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.shoal.api.Event;
import io.shoal.api.EventFilterValues;
import io.shoal.api.EventsRequest;
import io.shoal.dockermodel.EventFilters;
import io.shoal.dockermodel.EventJson;
import io.shoal.dockermodel.Filters;
import io.shoal.dockermodel.Json;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * {@code GET /events} as dockerd streams it: one JSON message per line, the swarm's changes as the
 * manager's {@code Control.Events} gives them, filtered by docker's {@code filters}, from
 * {@code since} (kept events replayed) until {@code until} or until the client goes.
 */
final class EventRoutes {
    private final Backend backend;

    EventRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router r) {
        r.get("/events", this::events);
    }

    private void events(Request req, Exchange ex) {
        EventsRequest.Builder b = EventsRequest.newBuilder()
                .setSinceNanos(nanos("since", req.query("since"))).setUntilNanos(nanos("until", req.query("until")));
        Filters f = EventFilters.filters(Filters.parse(req.query("filters"), EventFilters.KEYS));
        f.asMap().forEach((k, vs) -> b.putFilters(k, EventFilterValues.newBuilder().addAllValues(vs).build()));
        Context.CancellableContext ctx = Context.current().withCancellation();
        try (Exchange.Stream s = ex.stream("application/json")) {
            s.onClose(() -> ctx.cancel(null));
            ctx.run(() -> {
                try {
                    Iterator<Event> events = backend.streaming().events(b.build());
                    while (s.open() && events.hasNext()) {
                        Event e = events.next();
                        // a progress mark (empty type) moves the position only; docker has no such message
                        if (!e.getType().isEmpty()) {
                            s.write((Json.write(EventJson.write(e)) + "\n").getBytes(StandardCharsets.UTF_8));
                        }
                    }
                } catch (StatusRuntimeException e) {
                    // the manager went away or the client left: dockerd ends the stream the same way
                }
            });
        } finally {
            ctx.cancel(null);
        }
    }

    /**
     * Docker's timestamps on this endpoint: Unix seconds with an optional fraction
     * ({@code 1700000000.123456789}, what the docker CLI sends for --since/--until); 0 or absent: none.
     */
    static long nanos(String name, String value) {
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            BigDecimal seconds = new BigDecimal(value);
            if (seconds.signum() < 0) {
                throw ApiError.badRequest(name + ": a negative timestamp: " + value);
            }
            return seconds.movePointRight(9).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw ApiError.badRequest(name + ": invalid timestamp '" + value + "' (Unix seconds, e.g. 1700000000.5)");
        }
    }
}
