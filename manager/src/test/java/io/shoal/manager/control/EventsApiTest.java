package io.shoal.manager.control;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.shoal.api.Event;
import io.shoal.api.EventCursor;
import io.shoal.api.EventFilterValues;
import io.shoal.api.EventsRequest;
import io.shoal.api.Node;
import io.shoal.api.NodeDescription;
import io.shoal.api.raft.StoreBatch;
import io.shoal.manager.events.EventLog;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreObjects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Control.Events on one manager: where a stream starts, resumes and ends, its filters and progress marks. */
class EventsApiTest {
    private static final Object DONE = new Object();

    private final ClusterStore store = new ClusterStore();
    private final EventLog log = EventLog.start(store, 50);
    private long wallNanos = 1_000_000L * 1_000_000_000L;
    private final EventsApi api = new EventsApi(log.history(), () -> wallNanos);
    private final List<Stream> streams = new ArrayList<>();

    @AfterEach
    void stop() {
        streams.forEach(s -> s.cancel.run());
        log.close();
    }

    /** What the call's observer received: events, then DONE or an error. */
    static final class Stream extends ServerCallStreamObserver<Event> {
        final BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        Runnable cancel = () -> { };

        Object next() throws InterruptedException {
            Object o = got.poll(10, TimeUnit.SECONDS);
            assertNotNull(o, "nothing arrived");
            return o;
        }

        Event event() throws InterruptedException {
            return assertInstanceOf(Event.class, next());
        }

        @Override public boolean isCancelled() { return false; }
        @Override public void setOnCancelHandler(Runnable r) { cancel = r; }
        @Override public void setCompression(String c) { }
        @Override public boolean isReady() { return true; }
        @Override public void setOnReadyHandler(Runnable r) { }
        @Override public void disableAutoInboundFlowControl() { }
        @Override public void request(int n) { }
        @Override public void setMessageCompression(boolean e) { }
        @Override public void onNext(Event e) { got.add(e); }
        @Override public void onError(Throwable t) { got.add(t); }
        @Override public void onCompleted() { got.add(DONE); }
    }

    private Stream call(EventsRequest req) {
        Stream s = new Stream();
        streams.add(s);
        api.events(req, s);
        return s;
    }

    /** Node hI created at Raft index I, its entry stamped I seconds after the epoch. */
    private void nodes(int from, int to) throws InterruptedException {
        for (int i = from; i <= to; i++) {
            Node n = Node.newBuilder().setId("n" + i).setDescription(NodeDescription.newBuilder().setHostname("h" + i)).build();
            store.apply(i, StoreBatch.newBuilder().setTimestampMs(i * 1000L).addActions(Batches.create(StoreObjects.wrap(n))).build());
        }
        assertTrue(log.history().await(to - 1, 10_000));
    }

    private static EventCursor at(long index) {
        return EventCursor.newBuilder().setIndex(index).build();
    }

    @Test
    void aNewStreamMarksWhereItStartsThenSendsNewEventsOnly() throws InterruptedException {
        nodes(1, 3);
        Stream s = call(EventsRequest.getDefaultInstance());
        Event mark = s.event();
        assertEquals("", mark.getType(), "a progress mark first");
        assertEquals(3, mark.getCursor().getIndex(), "positioned after what was already there");
        nodes(4, 5);
        assertEquals("n4", s.event().getActorId());
        assertEquals("n5", s.event().getActorId());
    }

    @Test
    void aResumedStreamSendsExactlyTheEventsAfterItsCursor() throws InterruptedException {
        nodes(1, 10);
        Stream s = call(EventsRequest.newBuilder().setAfter(at(6)).build());
        assertEquals(6, s.event().getCursor().getIndex(), "the mark repeats the cursor");
        for (int i = 7; i <= 10; i++) {
            assertEquals("n" + i, s.event().getActorId());
        }
        nodes(11, 11);
        assertEquals("n11", s.event().getActorId());
    }

    @Test
    void aManagerStillReplayingItsLogDoesNotResendWhatTheCursorCovers() throws InterruptedException {
        nodes(1, 3);
        Stream s = call(EventsRequest.newBuilder().setAfter(at(6)).build());
        assertEquals(6, s.event().getCursor().getIndex(), "the mark never goes back before the cursor");
        nodes(4, 8);
        assertEquals("n7", s.event().getActorId());
        assertEquals("n8", s.event().getActorId());
    }

    @Test
    void sinceAndUntilReplayTheKeptEventsOfThatSpanAndEnd() throws InterruptedException {
        nodes(1, 10);
        Stream s = call(EventsRequest.newBuilder().setSinceNanos(4_000_000_000L).setUntilNanos(6_000_000_000L).build());
        s.event();
        assertEquals(List.of("n4", "n5", "n6"), List.of(s.event().getActorId(), s.event().getActorId(), s.event().getActorId()));
        assertEquals(DONE, s.next());
    }

    @Test
    void untilInTheFutureEndsWhenTheClockPassesIt() throws InterruptedException {
        nodes(1, 2);
        wallNanos = 2_000_000_000L;
        Stream s = call(EventsRequest.newBuilder().setUntilNanos(5_000_000_000L).setSinceNanos(1).build());
        s.event();
        assertEquals("n1", s.event().getActorId());
        assertEquals("n2", s.event().getActorId());
        wallNanos = 6_000_000_000L;
        assertEquals(DONE, s.next());
    }

    @Test
    void filtersKeepTheirEventsAndMarksCarryThePositionPastTheOthers() throws InterruptedException {
        nodes(1, 3);
        Stream s = call(EventsRequest.newBuilder().setAfter(at(3))
                .putFilters("node", EventFilterValues.newBuilder().addValues("h5").build()).build());
        s.event();
        nodes(4, 6);
        Event e = s.event();
        assertEquals("n5", e.getActorId());
        Event mark = s.event();
        assertEquals("", mark.getType(), "n6 held back: a mark follows within a second");
        assertEquals(6, mark.getCursor().getIndex());
    }

    @Test
    void aCursorBeforeWhatIsKeptIsRefusedNotSkipped() throws InterruptedException {
        nodes(1, 80);
        Stream s = call(EventsRequest.newBuilder().setAfter(at(5)).build());
        Throwable t = assertInstanceOf(Throwable.class, s.next());
        assertEquals(Status.Code.OUT_OF_RANGE, Status.fromThrowable(t).getCode());
        assertTrue(t.getMessage().contains("no longer kept"), t.getMessage());
    }

    @Test
    void anUnknownFilterIsAnInvalidArgument() throws InterruptedException {
        Stream s = call(EventsRequest.newBuilder().putFilters("colour", EventFilterValues.newBuilder().addValues("red").build()).build());
        Throwable t = assertInstanceOf(Throwable.class, s.next());
        assertEquals(Status.Code.INVALID_ARGUMENT, Status.fromThrowable(t).getCode());
        assertTrue(t.getMessage().contains("invalid filter 'colour'"), t.getMessage());
    }
}
