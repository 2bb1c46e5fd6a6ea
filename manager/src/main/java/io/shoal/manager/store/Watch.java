package io.shoal.manager.store;

import io.shoal.api.raft.StoreSnapshot;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A subscription to the store's changes; see {@link ClusterStore#watch()}. It holds at most its
 * capacity of events for its reader: a reader that falls further behind finds one RESET event in
 * their place (the store's way of saying "list everything again", as after a snapshot install),
 * and the events after it.
 */
public final class Watch implements AutoCloseable {
    private final StoreSnapshot initial;
    private final LinkedBlockingQueue<StoreEvent> events = new LinkedBlockingQueue<>();
    private final Consumer<Watch> onClose;
    private final int capacity;

    Watch(StoreSnapshot initial, Consumer<Watch> onClose, int capacity) {
        this.initial = initial;
        this.onClose = onClose;
        this.capacity = capacity;
    }

    /** The whole state when the watch began; events follow from {@code initial().getIndex()} on. */
    public StoreSnapshot initial() {
        return initial;
    }

    /** Called by the store's only writer (under its lock), so a full queue cannot fill up again meanwhile. */
    void offer(StoreEvent e) {
        if (events.size() >= capacity) {
            events.clear(); // the reader lists everything at the RESET: what was queued is in it
            events.add(new StoreEvent(StoreEvent.Type.RESET, e.index(), null, null));
        }
        events.add(e);
    }

    /** The next event, or null after the timeout. */
    public StoreEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
        return events.poll(timeout, unit);
    }

    public StoreEvent take() throws InterruptedException {
        return events.take();
    }

    @Override
    public void close() {
        onClose.accept(this);
    }
}
