package io.shoal.cli.aot;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import io.shoal.api.Annotations;
import io.shoal.api.ContainerSpec;
import io.shoal.api.ControlGrpc;
import io.shoal.api.ListNodesRequest;
import io.shoal.api.ListNodesResponse;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.ListServicesResponse;
import io.shoal.api.Node;
import io.shoal.api.NodeDescription;
import io.shoal.api.NodeView;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.TaskSpec;
import io.shoal.cli.Main;
import io.shoal.cli.RootCommand;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the client's AOT cache is recorded from (the launcher runs it with {@code -XX:AOTCacheOutput}
 * at package time): the commonest client commands, each run a few times, against a stand-in daemon
 * on a unix socket that answers {@code service ls} and {@code node ls} with one service and one node.
 * The cache then holds the classes those commands load, linked, and the profile of their methods.
 * Exits 1 when a command fails, so a broken training run is seen rather than a silently cold cache.
 */
public final class TrainingRun {
    /** The commands trained on: what users and scripts run most. */
    static final List<List<String>> COMMANDS = List.of(
            List.of("service", "ls"), List.of("node", "ls"), List.of("service", "ls", "--format", "json"),
            List.of("node", "ls", "-q"));

    private TrainingRun() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("shoal-aot-");
        Path sock = dir.resolve("shoal.sock");
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        Server server = NettyServerBuilder.forAddress(new DomainSocketAddress(sock.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group).workerEventLoopGroup(group)
                .addService(new StandIn()).build().start();
        int failed = 0;
        try {
            System.out.println(RootCommand.versionLine());
            for (int round = 0; round < 3; round++) {
                for (List<String> c : COMMANDS) {
                    String[] a = new String[c.size() + 2];
                    a[0] = "--host";
                    a[1] = "unix://" + sock;
                    for (int i = 0; i < c.size(); i++) {
                        a[i + 2] = c.get(i);
                    }
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    ByteArrayOutputStream err = new ByteArrayOutputStream();
                    if (Main.run(a, new PrintStream(out, true), new PrintStream(err, true)) != 0) {
                        System.err.println("training: shoal " + String.join(" ", c) + " failed: " + err.toString().strip());
                        failed++;
                    }
                }
            }
        } finally {
            server.shutdownNow().awaitTermination();
            group.shutdownGracefully().sync();
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    /** The daemon's side of the trained commands, with one object of each. */
    static final class StandIn extends ControlGrpc.ControlImplBase {
        @Override
        public void listServices(ListServicesRequest request, StreamObserver<ListServicesResponse> out) {
            ServiceSpec spec = ServiceSpec.newBuilder()
                    .setAnnotations(Annotations.newBuilder().setName("web"))
                    .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("busybox:latest")))
                    .setReplicated(ReplicatedService.newBuilder().setReplicas(2)).build();
            String id = "trainingserviceid00000000";
            out.onNext(ListServicesResponse.newBuilder()
                    .addServices(Service.newBuilder().setId(id).setSpec(spec))
                    .putRunning(id, 2).putDesired(id, 2).build());
            out.onCompleted();
        }

        @Override
        public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> out) {
            Node n = Node.newBuilder().setId("trainingnodeid00000000000")
                    .setDescription(NodeDescription.newBuilder().setHostname("h1").setEngineVersion(RootCommand.versionLine()))
                    .build();
            out.onNext(ListNodesResponse.newBuilder()
                    .addNodes(NodeView.newBuilder().setNode(n).setManagerReachability(NodeView.Reachability.LEADER)).build());
            out.onCompleted();
        }
    }
}
