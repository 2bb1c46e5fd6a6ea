package io.shoal.manager.store;

import io.shoal.api.raft.StoreSnapshot;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A subscription to the store's changes; see {@link ClusterStore#watch()}. */
public final class Watch implements AutoCloseable {
    private final StoreSnapshot initial;
    private final LinkedBlockingQueue<StoreEvent> events = new LinkedBlockingQueue<>();
    private final Consumer<Watch> onClose;

    Watch(StoreSnapshot initial, Consumer<Watch> onClose) {
        this.initial = initial;
        this.onClose = onClose;
    }

    /** The whole state when the watch began; events follow from {@code initial().getIndex()} on. */
    public StoreSnapshot initial() {
        return initial;
    }

    void offer(StoreEvent e) {
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
