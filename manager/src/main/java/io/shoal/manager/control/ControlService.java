package io.shoal.manager.control;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.shoal.api.ClusterInfo;
import io.shoal.api.Config;
import io.shoal.api.ControlGrpc;
import io.shoal.api.CreateConfigRequest;
import io.shoal.api.CreateNetworkRequest;
import io.shoal.api.CreateSecretRequest;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.Event;
import io.shoal.api.EventsRequest;
import io.shoal.api.GetClusterInfoRequest;
import io.shoal.api.GetConfigRequest;
import io.shoal.api.GetJoinTokensRequest;
import io.shoal.api.GetNetworkRequest;
import io.shoal.api.GetNodeRequest;
import io.shoal.api.GetSecretRequest;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.JoinTokens;
import io.shoal.api.ListConfigsRequest;
import io.shoal.api.ListConfigsResponse;
import io.shoal.api.ListNetworksRequest;
import io.shoal.api.ListNetworksResponse;
import io.shoal.api.ListNodesRequest;
import io.shoal.api.ListNodesResponse;
import io.shoal.api.ListSecretsRequest;
import io.shoal.api.ListSecretsResponse;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.ListServicesResponse;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.ListTasksResponse;
import io.shoal.api.LogLine;
import io.shoal.api.Network;
import io.shoal.api.NodeView;
import io.shoal.api.RemoveConfigRequest;
import io.shoal.api.RemoveConfigResponse;
import io.shoal.api.RemoveNetworkRequest;
import io.shoal.api.RemoveNetworkResponse;
import io.shoal.api.RemoveNodeRequest;
import io.shoal.api.RemoveNodeResponse;
import io.shoal.api.RemoveSecretRequest;
import io.shoal.api.RemoveSecretResponse;
import io.shoal.api.RemoveServiceRequest;
import io.shoal.api.RemoveServiceResponse;
import io.shoal.api.RotateJoinTokenRequest;
import io.shoal.api.UpdateClusterRequest;
import io.shoal.manager.security.UnlockKeys;
import io.shoal.api.Secret;
import io.shoal.api.Service;
import io.shoal.api.ServiceLogsRequest;
import io.shoal.api.UpdateNodeRequest;
import io.shoal.api.UpdateServiceRequest;
import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.events.EventHistory;
import io.shoal.manager.membership.ManagerRoles;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.rpc.ChannelPool;
import io.shoal.manager.secrets.SecretCipher;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreWriter;

/**
 * The Control API (what the CLI calls) as a gRPC service, on the leader: each call goes to the
 * part of the API for its kind of object ({@link ClusterApi}, {@link NodesApi}, {@link ServicesApi},
 * {@link TasksApi}, {@link NetworksApi}, {@link SecretsApi}, {@link ConfigsApi}, {@link EventsApi}), and what it throws
 * becomes a status with a one-line
 * description ({@link Calls}). Every read first passes a Raft read barrier; every write goes
 * through the replicated log.
 */
public final class ControlService extends ControlGrpc.ControlImplBase {
    private final ClusterApi cluster;
    private final NodesApi nodes;
    private final ServicesApi services;
    private final TasksApi tasks;
    private final NetworksApi networks;
    private final SecretsApi secrets;
    private final ConfigsApi configs;
    private final EventsApi events;

    public ControlService(ClusterStore store, StoreWriter writer, Consensus consensus, ManagerRoles roles,
                          ChannelPool channels, SecretCipher cipher, EventHistory history) {
        this(store, writer, consensus, roles, channels, cipher, history, null);
    }

    /** @param unlockKeys the cluster's unlock key, for turning autolock on and off (null: refused) */
    public ControlService(ClusterStore store, StoreWriter writer, Consensus consensus, ManagerRoles roles,
                          ChannelPool channels, SecretCipher cipher, EventHistory history, UnlockKeys unlockKeys) {
        this.cluster = new ClusterApi(store, writer, consensus, unlockKeys);
        this.nodes = new NodesApi(store, writer, consensus, roles);
        this.services = new ServicesApi(store, writer, consensus);
        this.tasks = new TasksApi(store, consensus, channels);
        this.networks = new NetworksApi(store, writer, consensus, cipher);
        this.secrets = new SecretsApi(store, writer, consensus, cipher);
        this.configs = new ConfigsApi(store, writer, consensus);
        this.events = new EventsApi(history, () -> System.currentTimeMillis() * 1_000_000L);
    }

    @Override
    public void getClusterInfo(GetClusterInfoRequest req, StreamObserver<ClusterInfo> obs) {
        Calls.unary(obs, () -> cluster.getClusterInfo(req));
    }

    @Override
    public void listNodes(ListNodesRequest req, StreamObserver<ListNodesResponse> obs) {
        Calls.unary(obs, () -> nodes.listNodes(req));
    }

    @Override
    public void getNode(GetNodeRequest req, StreamObserver<NodeView> obs) {
        Calls.unary(obs, () -> nodes.getNode(req));
    }

    @Override
    public void updateNode(UpdateNodeRequest req, StreamObserver<NodeView> obs) {
        Calls.unary(obs, () -> nodes.updateNode(req));
    }

    @Override
    public void removeNode(RemoveNodeRequest req, StreamObserver<RemoveNodeResponse> obs) {
        Calls.unary(obs, () -> nodes.removeNode(req));
    }

    @Override
    public void createService(CreateServiceRequest req, StreamObserver<Service> obs) {
        Calls.unary(obs, () -> services.createService(req));
    }

    @Override
    public void getService(GetServiceRequest req, StreamObserver<Service> obs) {
        Calls.unary(obs, () -> services.getService(req));
    }

    @Override
    public void listServices(ListServicesRequest req, StreamObserver<ListServicesResponse> obs) {
        Calls.unary(obs, () -> services.listServices(req));
    }

    @Override
    public void updateService(UpdateServiceRequest req, StreamObserver<Service> obs) {
        Calls.unary(obs, () -> services.updateService(req));
    }

    @Override
    public void removeService(RemoveServiceRequest req, StreamObserver<RemoveServiceResponse> obs) {
        Calls.unary(obs, () -> services.removeService(req));
    }

    @Override
    public void listTasks(ListTasksRequest req, StreamObserver<ListTasksResponse> obs) {
        Calls.unary(obs, () -> tasks.listTasks(req));
    }

    @Override
    public void createNetwork(CreateNetworkRequest req, StreamObserver<Network> obs) {
        Calls.unary(obs, () -> networks.createNetwork(req));
    }

    @Override
    public void getNetwork(GetNetworkRequest req, StreamObserver<Network> obs) {
        Calls.unary(obs, () -> networks.getNetwork(req));
    }

    @Override
    public void listNetworks(ListNetworksRequest req, StreamObserver<ListNetworksResponse> obs) {
        Calls.unary(obs, () -> networks.listNetworks(req));
    }

    @Override
    public void removeNetwork(RemoveNetworkRequest req, StreamObserver<RemoveNetworkResponse> obs) {
        Calls.unary(obs, () -> networks.removeNetwork(req));
    }

    @Override
    public void serviceLogs(ServiceLogsRequest req, StreamObserver<LogLine> obs) {
        tasks.serviceLogs(req, obs);
    }

    /** Served by every manager from its own history: {@link io.shoal.manager.Manager} does not relay it to the leader. */
    @Override
    public void events(EventsRequest req, StreamObserver<Event> obs) {
        events.events(req, (ServerCallStreamObserver<Event>) obs);
    }

    @Override
    public void getJoinTokens(GetJoinTokensRequest req, StreamObserver<JoinTokens> obs) {
        Calls.unary(obs, () -> cluster.getJoinTokens(req));
    }

    @Override
    public void updateCluster(UpdateClusterRequest req, StreamObserver<ClusterInfo> obs) {
        Calls.unary(obs, () -> cluster.updateCluster(req));
    }

    @Override
    public void rotateJoinToken(RotateJoinTokenRequest req, StreamObserver<JoinTokens> obs) {
        Calls.unary(obs, () -> cluster.rotateJoinToken(req));
    }

    @Override
    public void createSecret(CreateSecretRequest req, StreamObserver<Secret> obs) {
        Calls.unary(obs, () -> secrets.createSecret(req));
    }

    @Override
    public void getSecret(GetSecretRequest req, StreamObserver<Secret> obs) {
        Calls.unary(obs, () -> secrets.getSecret(req));
    }

    @Override
    public void listSecrets(ListSecretsRequest req, StreamObserver<ListSecretsResponse> obs) {
        Calls.unary(obs, () -> secrets.listSecrets(req));
    }

    @Override
    public void removeSecret(RemoveSecretRequest req, StreamObserver<RemoveSecretResponse> obs) {
        Calls.unary(obs, () -> secrets.removeSecret(req));
    }

    @Override
    public void createConfig(CreateConfigRequest req, StreamObserver<Config> obs) {
        Calls.unary(obs, () -> configs.createConfig(req));
    }

    @Override
    public void getConfig(GetConfigRequest req, StreamObserver<Config> obs) {
        Calls.unary(obs, () -> configs.getConfig(req));
    }

    @Override
    public void listConfigs(ListConfigsRequest req, StreamObserver<ListConfigsResponse> obs) {
        Calls.unary(obs, () -> configs.listConfigs(req));
    }

    @Override
    public void removeConfig(RemoveConfigRequest req, StreamObserver<RemoveConfigResponse> obs) {
        Calls.unary(obs, () -> configs.removeConfig(req));
    }
}
