package io.shoal.manager.events;

import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreEvent;
import io.shoal.manager.store.Watch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Records a manager's store changes as events, in log order, into an {@link EventHistory}: one
 * thread takes the store's watch (so applying the log never waits for it) and records each change,
 * to be turned into its event when a stream first reads it ({@link Recorded}).
 * Start it before the Raft member replays its log, so the history holds what was replayed too.
 */
public final class EventLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);
    /** How many events a manager keeps for {@code --since} and for streams to resume in. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private final ClusterStore store;
    private final Watch watch;
    private final EventHistory history;
    private final ClusterEvents converter = new ClusterEvents();
    private final Thread thread;
    private long lastIndex;
    private int ordinal;

    private EventLog(ClusterStore store, int capacity) {
        this.store = store;
        this.history = new EventHistory(capacity);
        this.watch = store.watch();
        converter.seed(watch.initial());
        history.restart(watch.initial().getIndex());
        this.lastIndex = watch.initial().getIndex();
        this.thread = Thread.ofPlatform().name("shoal-events").daemon().start(this::run);
    }

    public static EventLog start(ClusterStore store, int capacity) {
        return new EventLog(store, capacity);
    }

    public EventHistory history() {
        return history;
    }

    private void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                record(watch.take());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("the event recorder stopped: {}", e.toString(), e);
        }
    }

    void record(StoreEvent e) {
        if (e.type() == StoreEvent.Type.RESET) {
            // the store was replaced from a snapshot: what happened before it is not known here (the
            // names are read from the store as it is now, which may be a little later: names only)
            converter.seed(store.snapshot());
            history.restart(e.index());
            lastIndex = e.index();
            ordinal = 0;
            return;
        }
        ordinal = e.index() == lastIndex ? ordinal + 1 : 0;
        lastIndex = e.index();
        Recorded r = converter.record(e, ordinal);
        if (r != null) {
            history.append(r);
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        watch.close();
    }
}
