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
import io.shoal.cli.RootCommand;

import java.util.concurrent.TimeUnit;

/**
 * The daemon {@link TrainingRun} trains against, in a process of its own: serves the socket named by
 * its argument, prints {@code ready}, and stops when its standard input closes.
 */
public final class StandInDaemon {
    private StandInDaemon() {}

    public static void main(String[] args) throws Exception {
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        Server server = NettyServerBuilder.forAddress(new DomainSocketAddress(args[0]))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group).workerEventLoopGroup(group)
                .addService(new StandIn()).build().start();
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the training run closes the pipe
        }
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        System.exit(0);
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
