package io.shoal.engineapi;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.shoal.api.Annotations;
import io.shoal.api.ClusterInfo;
import io.shoal.api.ContainerSpec;
import io.shoal.api.ControlGrpc;
import io.shoal.api.CreateSecretRequest;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.Event;
import io.shoal.api.EventCursor;
import io.shoal.api.EventsRequest;
import io.shoal.api.GetClusterInfoRequest;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.InspectImageRequest;
import io.shoal.api.ListNetworksRequest;
import io.shoal.api.ListNetworksResponse;
import io.shoal.api.ListSecretsRequest;
import io.shoal.api.ListSecretsResponse;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.ListServicesResponse;
import io.shoal.api.LocalImagesGrpc;
import io.shoal.api.LocalInfo;
import io.shoal.api.LocalInfoRequest;
import io.shoal.api.LocalNodeGrpc;
import io.shoal.api.LogLine;
import io.shoal.api.Meta;
import io.shoal.api.NodeRole;
import io.shoal.api.Platform;
import io.shoal.api.RemoteImage;
import io.shoal.api.RemoveSecretRequest;
import io.shoal.api.RemoveSecretResponse;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Secret;
import io.shoal.api.Service;
import io.shoal.api.ServiceLogsRequest;
import io.shoal.api.ServiceSpec;
import io.shoal.api.TaskSpec;
import io.shoal.api.UpdateClusterRequest;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted Control API and local node service in process: the Engine API under test talks gRPC
 * to it as it does to a real node's socket. Services and secrets live in maps; every service create
 * is recorded.
 */
final class FakeCluster implements AutoCloseable {
    final Map<String, Service> services = new ConcurrentHashMap<>();
    final List<ServiceSpec> created = new CopyOnWriteArrayList<>();
    /** Secrets as the store holds them: with their value (the Control API never returns it). */
    final Map<String, Secret> secrets = new ConcurrentHashMap<>();
    /** The last distribution inspect the node's images service was asked. */
    volatile InspectImageRequest inspected;
    /** Every cluster settings update the managers were sent. */
    final List<UpdateClusterRequest> clusterUpdates = new CopyOnWriteArrayList<>();
    /** The last events request the managers were sent. */
    volatile EventsRequest eventsAsked;
    volatile NodeRole role = NodeRole.NODE_ROLE_MANAGER;
    private final Server server;
    final ManagedChannel channel;

    FakeCluster() throws IOException {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(new Control()).addService(new LocalNode()).addService(new Images()).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        services.put("svc1", Service.newBuilder().setId("svc1").setMeta(Meta.newBuilder().setVersion(7).setCreatedMs(1000))
                .setSpec(ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("web"))
                        .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("busybox")))
                        .setReplicated(ReplicatedService.newBuilder().setReplicas(3))).build());
    }

    private final class Control extends ControlGrpc.ControlImplBase {
        @Override
        public void getClusterInfo(GetClusterInfoRequest request, StreamObserver<ClusterInfo> obs) {
            obs.onNext(ClusterInfo.newBuilder().setClusterId("cluster1").setManagers(1).setNodes(1).build());
            obs.onCompleted();
        }

        @Override
        public void updateCluster(UpdateClusterRequest request, StreamObserver<ClusterInfo> obs) {
            clusterUpdates.add(request);
            obs.onNext(ClusterInfo.newBuilder().setClusterId("cluster1").build());
            obs.onCompleted();
        }

        @Override
        public void listServices(ListServicesRequest request, StreamObserver<ListServicesResponse> obs) {
            ListServicesResponse.Builder b = ListServicesResponse.newBuilder().addAllServices(services.values());
            services.keySet().forEach(id -> b.putRunning(id, 2).putDesired(id, 3));
            obs.onNext(b.build());
            obs.onCompleted();
        }

        @Override
        public void getService(GetServiceRequest request, StreamObserver<Service> obs) {
            Service s = services.values().stream().filter(x -> x.getId().equals(request.getService())
                    || x.getSpec().getAnnotations().getName().equals(request.getService())).findFirst().orElse(null);
            if (s == null) {
                obs.onError(Status.NOT_FOUND.withDescription("service " + request.getService() + " not found").asRuntimeException());
                return;
            }
            obs.onNext(s);
            obs.onCompleted();
        }

        @Override
        public void createService(CreateServiceRequest request, StreamObserver<Service> obs) {
            created.add(request.getSpec());
            Service s = Service.newBuilder().setId("new" + created.size()).setSpec(request.getSpec()).build();
            services.put(s.getId(), s);
            obs.onNext(s);
            obs.onCompleted();
        }

        @Override
        public void listNetworks(ListNetworksRequest request, StreamObserver<ListNetworksResponse> obs) {
            obs.onNext(ListNetworksResponse.getDefaultInstance());
            obs.onCompleted();
        }

        @Override
        public void createSecret(CreateSecretRequest request, StreamObserver<Secret> obs) {
            Secret s = Secret.newBuilder().setId("sec" + (secrets.size() + 1)).setSpec(request.getSpec()).build();
            secrets.put(s.getId(), s);
            obs.onNext(s.toBuilder().setSpec(s.getSpec().toBuilder().clearData()).build());
            obs.onCompleted();
        }

        @Override
        public void listSecrets(ListSecretsRequest request, StreamObserver<ListSecretsResponse> obs) {
            ListSecretsResponse.Builder b = ListSecretsResponse.newBuilder();
            secrets.values().forEach(s -> b.addSecrets(s.toBuilder().setSpec(s.getSpec().toBuilder().clearData())));
            obs.onNext(b.build());
            obs.onCompleted();
        }

        @Override
        public void removeSecret(RemoveSecretRequest request, StreamObserver<RemoveSecretResponse> obs) {
            if (secrets.remove(request.getSecret()) == null) {
                obs.onError(Status.NOT_FOUND.withDescription("secret " + request.getSecret() + " not found").asRuntimeException());
                return;
            }
            obs.onNext(RemoveSecretResponse.newBuilder().setSecretId(request.getSecret()).build());
            obs.onCompleted();
        }

        @Override
        public void events(EventsRequest request, StreamObserver<Event> obs) {
            eventsAsked = request;
            obs.onNext(Event.newBuilder().setType("service").setAction("create").setActorId("svc1").putAttributes("name", "web")
                    .setTimeNanos(2_000_000_123L).setCursor(EventCursor.newBuilder().setIndex(5)).build());
            // a progress mark: the position moved past changes the filters left out
            obs.onNext(Event.newBuilder().setCursor(EventCursor.newBuilder().setIndex(9)).build());
            obs.onNext(Event.newBuilder().setType("service").setAction("update").setActorId("svc1").putAttributes("name", "web")
                    .setTimeNanos(3_000_000_000L).setCursor(EventCursor.newBuilder().setIndex(12)).build());
            obs.onCompleted();
        }

        @Override
        public void serviceLogs(ServiceLogsRequest request, StreamObserver<LogLine> obs) {
            obs.onNext(LogLine.newBuilder().setTaskId("t1").setNode("h1").setStream("stdout").setText("hello").setTimeMs(1000).build());
            obs.onNext(LogLine.newBuilder().setTaskId("t1").setNode("h1").setStream("stderr").setText("oops").setTimeMs(2000).build());
            obs.onCompleted();
        }
    }

    private final class LocalNode extends LocalNodeGrpc.LocalNodeImplBase {
        @Override
        public void info(LocalInfoRequest request, StreamObserver<LocalInfo> obs) {
            obs.onNext(LocalInfo.newBuilder().setInCluster(true).setRole(role).setNodeId("node1").setClusterId("cluster1")
                    .setHostname("h1").setAdvertiseAddr("127.0.0.1:4242").build());
            obs.onCompleted();
        }
    }

    private final class Images extends LocalImagesGrpc.LocalImagesImplBase {
        @Override
        public void inspect(InspectImageRequest request, StreamObserver<RemoteImage> obs) {
            inspected = request;
            if (!request.getReference().startsWith("registry.example/")) {
                obs.onError(Status.INTERNAL.withDescription("cannot reach registry " + request.getReference().split("/")[0]).asRuntimeException());
                return;
            }
            obs.onNext(RemoteImage.newBuilder().setMediaType("application/vnd.oci.image.index.v1+json").setDigest("sha256:" + "ab".repeat(32))
                    .setSizeBytes(1234).addPlatforms(Platform.newBuilder().setOs("linux").setArchitecture("amd64")).build());
            obs.onCompleted();
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
    }
}
