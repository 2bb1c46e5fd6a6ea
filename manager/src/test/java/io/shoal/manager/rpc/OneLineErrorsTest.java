package io.shoal.manager.rpc;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.shoal.api.VersionGrpc;
import io.shoal.api.VersionInfo;
import io.shoal.api.VersionRequest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OneLineErrorsTest {

    @Test
    void shortOneLineDescriptionsAreKept() {
        assertNull(OneLineErrors.oneLine(null));
        assertEquals("no such service: web", OneLineErrors.oneLine("no such service: web"));
    }

    @Test
    void controlCharactersBecomeOneSpace() {
        assertEquals("no such service: a b c", OneLineErrors.oneLine("no such service: a\r\n\tb\u0000c\n"));
    }

    @Test
    void aLongDescriptionIsCutWithAnEllipsis() {
        String cut = OneLineErrors.oneLine("no such service: " + "x".repeat(100_000));
        assertEquals(OneLineErrors.MAX_CHARS, cut.length());
        assertTrue(cut.startsWith("no such service: xxx"));
        assertTrue(cut.endsWith("…"));
    }

    @Test
    void aSurrogatePairIsNeverSplit() {
        String s = "a".repeat(OneLineErrors.MAX_CHARS - 2) + "\uD83D\uDE00" + "tail";
        String cut = OneLineErrors.oneLine(s);
        assertFalse(Character.isHighSurrogate(cut.charAt(cut.length() - 2)));
        assertTrue(cut.endsWith("…"));
    }

    @Test
    void aCallEndsWithItsCodeAndAOneLineDescription() throws Exception {
        String name = "in-process-" + System.nanoTime();
        VersionGrpc.VersionImplBase failing = new VersionGrpc.VersionImplBase() {
            @Override
            public void get(VersionRequest request, StreamObserver<VersionInfo> observer) {
                observer.onError(Calls.notFound("no such service: " + "y".repeat(50_000) + "\nsecond line"));
            }
        };
        Server server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(failing, new OneLineErrors())).build().start();
        ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> VersionGrpc.newBlockingStub(channel).get(VersionRequest.getDefaultInstance()));
            assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
            String d = e.getStatus().getDescription();
            assertTrue(d.startsWith("no such service: yyy"), d);
            assertFalse(d.contains("\n"));
            assertEquals(OneLineErrors.MAX_CHARS, d.length());
        } finally {
            channel.shutdownNow();
            server.shutdownNow();
        }
    }
}
