package io.shoal.manager.control;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.shoal.api.Event;
import io.shoal.api.EventCursor;
import io.shoal.api.EventsRequest;
import io.shoal.dockermodel.EventFilters;
import io.shoal.dockermodel.Filters;
import io.shoal.manager.events.EventHistory;
import io.shoal.manager.events.Positions;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Events through the Control API ({@code Control.Events}): the store's changes as docker events,
 * from this manager's own history, so any manager answers and a leader change does not end the
 * stream. It starts after a cursor (a stream resuming where it broke), at a time ({@code --since}),
 * at the oldest kept event ({@code --until} alone, as docker) or with new events only, applies
 * docker's filters, and ends after {@code until}. When filters hold back events for a while the
 * stream sends a progress mark (an event without a type, with the cursor it reached) so a client
 * resumes from there rather than from far back.
 */
public final class EventsApi {
    static final int BATCH = 256;
    static final long PROGRESS_MS = 1000;

    private final EventHistory history;
    private final LongSupplier wallNanos;

    public EventsApi(EventHistory history, LongSupplier wallNanos) {
        this.history = history;
        this.wallNanos = wallNanos;
    }

    public void events(EventsRequest req, ServerCallStreamObserver<Event> out) {
        Filters filters;
        long start;
        try {
            Map<String, List<String>> byKey = new LinkedHashMap<>();
            req.getFiltersMap().forEach((k, v) -> byKey.put(k, v.getValuesList()));
            filters = EventFilters.of(byKey);
            start = req.hasAfter() ? history.after(req.getAfter())
                    : req.getSinceNanos() > 0 ? history.since(req.getSinceNanos())
                    : req.getUntilNanos() > 0 ? history.oldest()
                    : history.next();
        } catch (EventHistory.Gone e) {
            out.onError(Status.OUT_OF_RANGE.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (IllegalArgumentException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        Stream s = new Stream(out, filters, start, req.getUntilNanos(), req.hasAfter() ? req.getAfter() : null);
        // both handlers must be set before this call returns
        out.setOnReadyHandler(s::wake);
        out.setOnCancelHandler(s::cancel);
        Thread.ofVirtual().name("shoal-events-stream").start(s::run);
    }

    private final class Stream {
        private final ServerCallStreamObserver<Event> out;
        private final Filters filters;
        private final long until;
        /** A resumed stream's cursor: a manager still replaying its log may record events up to it again. */
        private final EventCursor after;
        private long seq;
        private volatile boolean cancelled;
        private final Object ready = new Object();

        Stream(ServerCallStreamObserver<Event> out, Filters filters, long start, long until, EventCursor after) {
            this.out = out;
            this.filters = filters;
            this.seq = start;
            this.until = until;
            this.after = after;
        }

        void wake() {
            synchronized (ready) {
                ready.notifyAll();
            }
        }

        void cancel() {
            cancelled = true;
            wake();
        }

        void run() {
            Event scanned = null;
            boolean heldBack = false;
            long lastSent = System.nanoTime();
            try {
                // where the stream starts, so a client that sees no event before it breaks can resume from here
                EventCursor start = history.before(seq);
                send(Event.newBuilder().setCursor(after != null && Positions.compare(after, start) > 0 ? after : start).build());
                while (!cancelled) {
                    List<Event> batch = history.read(seq, BATCH);
                    for (Event e : batch) {
                        if (until > 0 && e.getTimeNanos() > until) {
                            finish();
                            return;
                        }
                        seq++;
                        if (after != null && Positions.compare(e.getCursor(), after) <= 0) {
                            continue;
                        }
                        scanned = e;
                        if (EventFilters.matches(filters, e)) {
                            send(e);
                            heldBack = false;
                            lastSent = System.nanoTime();
                        } else {
                            heldBack = true;
                        }
                    }
                    if (!batch.isEmpty()) {
                        continue;
                    }
                    if (until > 0 && wallNanos.getAsLong() > until) {
                        finish();
                        return;
                    }
                    if (heldBack && System.nanoTime() - lastSent >= PROGRESS_MS * 1_000_000L) {
                        send(Event.newBuilder().setCursor(scanned.getCursor()).setTimeNanos(scanned.getTimeNanos()).build());
                        heldBack = false;
                        lastSent = System.nanoTime();
                    }
                    long wait = PROGRESS_MS;
                    if (until > 0) {
                        wait = Math.max(1, Math.min(wait, (until - wallNanos.getAsLong()) / 1_000_000L + 1));
                    }
                    history.await(seq, wait);
                }
            } catch (EventHistory.Gone e) {
                fail(Status.OUT_OF_RANGE.withDescription(e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(Status.UNAVAILABLE.withDescription("the manager is stopping"));
            } catch (StatusRuntimeException e) {
                // the call ended under us (the client went away)
            }
        }

        private void send(Event e) throws InterruptedException {
            synchronized (ready) {
                while (!out.isReady() && !cancelled) {
                    ready.wait(PROGRESS_MS);
                }
            }
            if (!cancelled) {
                out.onNext(e);
            }
        }

        private void finish() {
            if (!cancelled) {
                out.onCompleted();
            }
        }

        private void fail(Status s) {
            if (!cancelled) {
                out.onError(s.asRuntimeException());
            }
        }
    }
}
