package io.shoal.e2e;

import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.shoal.api.ControlGrpc;
import io.shoal.api.Event;
import io.shoal.api.EventFilterValues;
import io.shoal.api.EventsRequest;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Follows one service's task events (the Control API's event stream) so that a benchmark waits for
 * its tasks without listing them every few milliseconds: listing 200 tasks every 50 ms took ~10% of
 * the machine an update benchmark measures, in the daemon and in the benchmark's own JVM. The
 * events keep a count of the service's tasks created since the watch began that are RUNNING with
 * RUNNING desired; when the count says a condition may hold, {@link #await} checks the condition
 * itself (a list of the tasks, once), so what is timed is the same as with polling. A check also
 * runs every {@link #RECHECK} in case the stream broke.
 */
final class TaskEvents implements AutoCloseable {
    static final Duration RECHECK = Duration.ofSeconds(1);

    /** by task id: {state, desired state}, of the tasks created since the watch began */
    private final Map<String, String[]> created = new HashMap<>();
    private int runningCreated;
    /** events seen so far */
    private int changes;
    private ClientCallStreamObserver<EventsRequest> call;
    private volatile Throwable broken;

    /** A watch fed by hand (tests); {@link #follow} feeds one from a daemon. */
    TaskEvents() {}

    /** The task events of {@code service} from {@code sinceNanos} (wall clock, ns since the epoch) on. */
    static TaskEvents follow(ManagedChannel ch, String service, long sinceNanos) {
        TaskEvents t = new TaskEvents();
        EventsRequest req = EventsRequest.newBuilder().setSinceNanos(sinceNanos)
                .putFilters("type", EventFilterValues.newBuilder().addValues("task").build())
                .putFilters("service", EventFilterValues.newBuilder().addValues(service).build()).build();
        ControlGrpc.newStub(ch).events(req, new ClientResponseObserver<EventsRequest, Event>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<EventsRequest> c) {
                t.call = c;
            }

            @Override
            public void onNext(Event e) {
                t.seen(e);
            }

            @Override
            public void onError(Throwable err) {
                t.broken = err;
                t.wake();
            }

            @Override
            public void onCompleted() {
                t.wake();
            }
        });
        return t;
    }

    /** One event of the stream, in order. */
    synchronized void seen(Event e) {
        if (e.getType().isEmpty()) {
            return; // a progress mark
        }
        String id = e.getActorId();
        var a = e.getAttributesMap();
        String[] was = created.get(id);
        boolean before = was != null && running(was);
        switch (e.getAction()) {
            case "create" -> created.put(id, new String[] {a.getOrDefault("state", ""), a.getOrDefault("desiredstate", "")});
            case "remove" -> created.remove(id);
            default -> {
                if (was != null) {
                    was[0] = a.getOrDefault("state.new", was[0]);
                    was[1] = a.getOrDefault("desiredstate.new", was[1]);
                }
            }
        }
        String[] now = created.get(id);
        runningCreated += (now != null && running(now) ? 1 : 0) - (before ? 1 : 0);
        changes++;
        notifyAll();
    }

    private static boolean running(String[] s) {
        return s[0].equals("running") && s[1].equals("running");
    }

    private synchronized void wake() {
        notifyAll();
    }

    /** How many tasks created since the watch began are RUNNING with RUNNING desired. */
    synchronized int runningCreated() {
        return runningCreated;
    }

    /**
     * Waits until at least {@code n} tasks created since the watch began run and {@code check}
     * holds; returns {@link System#nanoTime()} when it held, or -1 at {@code deadlineNanos}.
     */
    long await(int n, BooleanSupplier check, long deadlineNanos) throws InterruptedException {
        long nextCheck = System.nanoTime(); // once at the start: it may hold already
        int seenAtCheck = -1;
        while (true) {
            synchronized (this) {
                // wait for a change that may make it hold, else for the periodic check
                while (true) {
                    long now = System.nanoTime();
                    if (now >= deadlineNanos) {
                        return -1;
                    }
                    if (now >= nextCheck || (runningCreated >= n && changes != seenAtCheck)) {
                        break;
                    }
                    wait(Math.max(1, (Math.min(nextCheck, deadlineNanos) - now) / 1_000_000));
                }
                seenAtCheck = changes;
            }
            if (check.getAsBoolean()) {
                return System.nanoTime();
            }
            nextCheck = System.nanoTime() + (broken == null ? RECHECK : Duration.ofMillis(50)).toNanos();
        }
    }

    @Override
    public void close() {
        if (call != null) {
            call.cancel("done", null);
        }
    }
}
