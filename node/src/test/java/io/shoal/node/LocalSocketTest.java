package io.shoal.node;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.grpc.util.MutableHandlerRegistry;
import io.shoal.api.ControlGrpc;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.ListTasksResponse;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.ContainerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalSocketTest {
    /** 40,000 tasks, as `service ps` of a big service or `task ls` of a big cluster returns them. */
    private static final int TASKS = 40_000;

    @Test
    void onlyItsOwnerMayConnect(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("shoal.sock");
        Server server = LocalSocket.serve(socket, List.of(), new MutableHandlerRegistry());
        try {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void repliesLargerThanGrpcsDefaultFourMegabytesAreRead(@TempDir Path dir) throws Exception {
        ListTasksResponse.Builder big = ListTasksResponse.newBuilder();
        for (int i = 0; i < TASKS; i++) {
            big.addTasks(Task.newBuilder().setId(String.format("task%021d", i)).setServiceId("service0000000000000000001")
                    .setNodeId("node00000000000000000000001").setSpec(TaskSpec.newBuilder()
                            .setContainer(ContainerSpec.newBuilder().setImage("registry.example:5000/team/app:1.2.3"))));
        }
        ListTasksResponse reply = big.build();
        assertTrue(reply.getSerializedSize() > 4 << 20, "the reply is over gRPC's default limit: " + reply.getSerializedSize());
        ControlGrpc.ControlImplBase control = new ControlGrpc.ControlImplBase() {
            @Override
            public void listTasks(ListTasksRequest req, StreamObserver<ListTasksResponse> obs) {
                obs.onNext(reply);
                obs.onCompleted();
            }
        };
        Path socket = dir.resolve("shoal.sock");
        Server server = LocalSocket.serve(socket, List.of(control.bindService()), new MutableHandlerRegistry());
        ManagedChannel ch = LocalSocket.connect(socket);
        try {
            ListTasksResponse got = ControlGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .listTasks(ListTasksRequest.getDefaultInstance());
            assertEquals(TASKS, got.getTasksCount());
        } finally {
            ch.shutdownNow();
            server.shutdownNow();
        }
    }
}
