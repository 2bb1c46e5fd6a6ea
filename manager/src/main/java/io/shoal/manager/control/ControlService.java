package io.shoal.manager.control;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.shoal.api.Cluster;
import io.shoal.api.ClusterInfo;
import io.shoal.api.ControlGrpc;
import io.shoal.api.CreateNetworkRequest;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.Endpoint;
import io.shoal.api.GetClusterInfoRequest;
import io.shoal.api.GetJoinTokensRequest;
import io.shoal.api.GetNetworkRequest;
import io.shoal.api.GetNodeRequest;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.IPAMConfig;
import io.shoal.api.JoinTokens;
import io.shoal.api.ListNetworksRequest;
import io.shoal.api.ListNetworksResponse;
import io.shoal.api.ListNodesRequest;
import io.shoal.api.ListNodesResponse;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.ListServicesResponse;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.ListTasksResponse;
import io.shoal.api.LogLine;
import io.shoal.api.Network;
import io.shoal.api.NetworkSpec;
import io.shoal.api.Node;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeStatus;
import io.shoal.api.NodeView;
import io.shoal.api.RemoveNetworkRequest;
import io.shoal.api.RemoveNetworkResponse;
import io.shoal.api.RemoveNodeRequest;
import io.shoal.api.RemoveNodeResponse;
import io.shoal.api.RemoveServiceRequest;
import io.shoal.api.RemoveServiceResponse;
import io.shoal.api.RotateJoinTokenRequest;
import io.shoal.api.Service;
import io.shoal.api.ServiceLogsRequest;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.UpdateNodeRequest;
import io.shoal.api.UpdateServiceRequest;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.Ids;
import io.shoal.manager.ca.JoinToken;
import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.membership.ManagerRoles;
import io.shoal.manager.network.Ingress;
import io.shoal.manager.network.NetworkAllocations;
import io.shoal.manager.orchestrator.Tasks;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.rpc.ChannelPool;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import io.shoal.net.ipam.Ipam;
import io.shoal.net.ipam.IpamException;
import io.shoal.net.ipam.NetworkAllocation;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The Control API on the leader. Every read first passes a Raft read barrier, so what it returns
 * includes every write acknowledged before the call; every write goes through the replicated log.
 */
public final class ControlService extends ControlGrpc.ControlImplBase {
    static final Duration BARRIER = Duration.ofSeconds(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ClusterStore store;
    private final StoreWriter writer;
    private final Consensus consensus;
    private final ManagerRoles roles;
    private final ChannelPool channels;

    public ControlService(ClusterStore store, StoreWriter writer, Consensus consensus, ManagerRoles roles,
                          ChannelPool channels) {
        this.channels = channels;
        this.store = store;
        this.writer = writer;
        this.consensus = consensus;
        this.roles = roles;
    }

    private <T> T read(Function<ReadTx, T> fn) {
        consensus.barrier(BARRIER);
        return store.view(fn);
    }

    @Override
    public void getClusterInfo(GetClusterInfoRequest request, StreamObserver<ClusterInfo> obs) {
        Calls.unary(obs, () -> {
            List<Consensus.Member> members = consensus.members();
            return read(tx -> {
                Cluster c = tx.cluster().orElseThrow(() -> Calls.precondition("the cluster is not initialized yet"));
                String leader = consensus.leaderId().orElse("");
                return ClusterInfo.newBuilder()
                        .setClusterId(c.getId())
                        .setLeaderNodeId(leader)
                        .setLeaderAddr(tx.node(leader).map(Node::getAdvertiseAddr).orElse(""))
                        .setManagers(members.size())
                        .setManagersReachable((int) members.stream().filter(Consensus.Member::reachable).count())
                        .setRaftIndex(consensus.appliedIndex())
                        .setNodes(tx.nodes().size())
                        .setCreatedMs(c.getMeta().getCreatedMs())
                        .setCaDigest(c.getRootCa().getCaDigest())
                        .build();
            });
        });
    }

    @Override
    public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> obs) {
        Calls.unary(obs, () -> {
            Map<String, Consensus.Member> members = membersById();
            List<Node> nodes = read(tx -> tx.nodes());
            ListNodesResponse.Builder b = ListNodesResponse.newBuilder();
            nodes.forEach(n -> b.addNodes(view(n, members)));
            return b.build();
        });
    }

    @Override
    public void getNode(GetNodeRequest request, StreamObserver<NodeView> obs) {
        Calls.unary(obs, () -> view(read(tx -> NodeLookup.resolve(tx, request.getNode())), membersById()));
    }

    private Map<String, Consensus.Member> membersById() {
        return consensus.members().stream().collect(Collectors.toMap(Consensus.Member::id, m -> m, (a, b) -> a));
    }

    static NodeView view(Node n, Map<String, Consensus.Member> members) {
        Consensus.Member m = members.get(n.getId());
        NodeView.Reachability r = m == null ? NodeView.Reachability.NONE
                : m.leader() ? NodeView.Reachability.LEADER
                : m.reachable() ? NodeView.Reachability.REACHABLE : NodeView.Reachability.UNREACHABLE;
        return NodeView.newBuilder().setNode(n).setManagerReachability(r).build();
    }

    @Override
    public void updateNode(UpdateNodeRequest req, StreamObserver<NodeView> obs) {
        Calls.unary(obs, () -> {
            for (String k : req.getLabelAddMap().keySet()) {
                if (k.isBlank()) {
                    throw Calls.invalid("--label-add: a label key must not be empty");
                }
            }
            Node target = read(tx -> NodeLookup.resolve(tx, req.getNode()));
            if (req.getSetRole() && req.getRole() == NodeRole.NODE_ROLE_WORKER
                    && target.getRole() == NodeRole.NODE_ROLE_MANAGER) {
                roles.demote(target, req.getForce());
            } else {
                writer.update(tx -> {
                    Node cur = tx.node(target.getId()).orElseThrow(() -> Calls.notFound("node " + req.getNode() + " not found"));
                    Node.Builder nb = cur.toBuilder();
                    var spec = nb.getSpecBuilder();
                    if (req.getSetAvailability()) {
                        spec.setAvailability(req.getAvailability());
                    }
                    var ann = spec.getAnnotationsBuilder();
                    ann.putAllLabels(req.getLabelAddMap());
                    req.getLabelRmList().forEach(ann::removeLabels);
                    if (req.getSetRole()) {
                        spec.setDesiredRole(req.getRole());
                    }
                    Node next = nb.build();
                    return next.equals(cur) ? List.of() : List.of(Batches.update(StoreObjects.wrap(next)));
                });
            }
            return view(store.view(tx -> tx.node(target.getId())).orElse(target), membersById());
        });
    }

    @Override
    public void removeNode(RemoveNodeRequest req, StreamObserver<RemoveNodeResponse> obs) {
        Calls.unary(obs, () -> {
            Node target = read(tx -> NodeLookup.resolve(tx, req.getNode()));
            if (target.getRole() == NodeRole.NODE_ROLE_MANAGER || target.getSpec().getDesiredRole() == NodeRole.NODE_ROLE_MANAGER) {
                throw Calls.precondition("node " + req.getNode() + " is a manager: demote it first with 'shoal node demote "
                        + req.getNode() + "'");
            }
            if (target.getStatus().getState() == NodeStatus.State.READY && !req.getForce()) {
                throw Calls.precondition("node " + req.getNode() + " is not down and can't be removed; stop it first or use --force");
            }
            writer.update(tx -> tx.node(target.getId()).map(n -> List.of(Batches.remove(StoreObjects.wrap(n)))).orElse(List.of()));
            return RemoveNodeResponse.newBuilder().setNodeId(target.getId()).build();
        });
    }

    @Override
    public void createService(CreateServiceRequest req, StreamObserver<Service> obs) {
        Calls.unary(obs, () -> {
            ServiceSpec spec = resolveNetworks(req.getSpec());
            String id = Ids.newId();
            if (spec.getAnnotations().getName().isEmpty()) {
                spec = spec.toBuilder().setAnnotations(spec.getAnnotations().toBuilder().setName("service-" + id.substring(0, 8))).build();
            }
            ServiceSpec normalized = ServiceSpecs.normalize(spec);
            writer.update(tx -> {
                String ingress = Ingress.find(tx).map(Network::getId).orElse("");
                if (normalized.getTask().getNetworksList().stream().anyMatch(c -> c.getTarget().equals(ingress))) {
                    throw Calls.invalid("network: a service joins the ingress network by publishing a port (--publish), not with --network");
                }
                List<StoreAction> actions = new ArrayList<>();
                ServiceSpec withIngress = withIngress(tx, normalized, actions);
                Service svc = Service.newBuilder().setId(id).setSpec(withIngress)
                        .setEndpoint(Endpoint.newBuilder().setSpec(withIngress.getEndpoint())
                                .addAllPorts(PublishedPorts.allocate(tx, id, withIngress.getEndpoint(), List.of())))
                        .build();
                actions.add(Batches.create(StoreObjects.wrap(svc)));
                return actions;
            });
            return Redaction.service(store.view(tx -> tx.service(id)).orElseThrow());
        });
    }

    @Override
    public void getService(GetServiceRequest req, StreamObserver<Service> obs) {
        Calls.unary(obs, () -> Redaction.service(read(tx -> ServiceLookup.resolve(tx, req.getService()))));
    }

    @Override
    public void listServices(ListServicesRequest req, StreamObserver<ListServicesResponse> obs) {
        Calls.unary(obs, () -> read(tx -> {
            var b = ListServicesResponse.newBuilder();
            tx.services().forEach(s -> b.addServices(Redaction.service(s)));
            for (Service s : tx.services()) {
                List<Task> tasks = tx.tasksOfService(s.getId());
                long running = tasks.stream()
                        .filter(t -> Tasks.wanted(t)
                                && t.getStatus().getState() == TaskState.TASK_STATE_RUNNING).count();
                b.putRunning(s.getId(), running);
                var spec = s.getSpec();
                long completed = tasks.stream().filter(t -> t.getStatus().getState() == TaskState.TASK_STATE_COMPLETE
                        && Tasks.current(s, t)).count();
                long desired = switch (spec.getModeCase()) {
                    case REPLICATED -> spec.getReplicated().getReplicas();
                    case REPLICATED_JOB -> spec.getReplicatedJob().getTotalCompletions();
                    // the nodes that have (or wait for) a task of it
                    case GLOBAL -> tasks.stream().filter(Tasks::wanted)
                            .map(Task::getNodeId).distinct().count();
                    case GLOBAL_JOB -> tasks.stream().filter(t -> Tasks.wanted(t)
                                    || t.getStatus().getState() == TaskState.TASK_STATE_COMPLETE)
                            .map(Task::getNodeId).distinct().count();
                    default -> 0;
                };
                b.putDesired(s.getId(), desired);
                if (spec.hasReplicatedJob() || spec.hasGlobalJob()) {
                    b.putCompleted(s.getId(), completed);
                }
            }
            return b.build();
        }));
    }

    @Override
    public void updateService(UpdateServiceRequest req, StreamObserver<Service> obs) {
        Calls.unary(obs, () -> {
            String id = read(tx -> ServiceLookup.resolve(tx, req.getService())).getId();
            ServiceSpec spec = ServiceSpecs.normalize(resolveNetworks(req.getSpec()));
            writer.update(tx -> {
                Service cur = tx.service(id).orElseThrow(() -> Calls.notFound("service " + req.getService() + " not found"));
                if (req.getVersion() != 0 && req.getVersion() != cur.getMeta().getVersion()) {
                    throw Calls.precondition("service " + req.getService() + " changed since it was read (version "
                            + cur.getMeta().getVersion() + ", not " + req.getVersion() + "); read it again");
                }
                List<StoreAction> actions = new ArrayList<>();
                ServiceSpec next = withIngress(tx, Redaction.keepStored(spec, cur.getSpec()), actions);
                Endpoint endpoint = cur.getEndpoint().toBuilder().setSpec(next.getEndpoint()).clearPorts()
                        .addAllPorts(PublishedPorts.allocate(tx, id, next.getEndpoint(), cur.getEndpoint().getPortsList())).build();
                if (cur.getSpec().equals(next) && cur.getEndpoint().equals(endpoint)) {
                    return List.of();
                }
                actions.add(Batches.update(StoreObjects.wrap(cur.toBuilder().setPreviousSpec(cur.getSpec()).setSpec(next)
                        .setEndpoint(endpoint).build())));
                return actions;
            });
            return Redaction.service(store.view(tx -> tx.service(id)).orElseThrow());
        });
    }

    @Override
    public void removeService(RemoveServiceRequest req, StreamObserver<RemoveServiceResponse> obs) {
        Calls.unary(obs, () -> {
            Service s = read(tx -> ServiceLookup.resolve(tx, req.getService()));
            writer.update(tx -> tx.service(s.getId()).map(x -> List.of(Batches.remove(StoreObjects.wrap(x)))).orElse(List.of()));
            return RemoveServiceResponse.newBuilder().setServiceId(s.getId()).build();
        });
    }

    @Override
    public void listTasks(ListTasksRequest req, StreamObserver<ListTasksResponse> obs) {
        Calls.unary(obs, () -> read(tx -> {
            String serviceId = req.getService().isEmpty() ? null : ServiceLookup.resolve(tx, req.getService()).getId();
            String nodeId = req.getNode().isEmpty() ? null : NodeLookup.resolve(tx, req.getNode()).getId();
            var b = ListTasksResponse.newBuilder();
            tx.tasks().stream()
                    .filter(t -> serviceId == null || t.getServiceId().equals(serviceId))
                    .filter(t -> nodeId == null || t.getNodeId().equals(nodeId))
                    .forEach(t -> b.addTasks(Redaction.task(t)));
            tx.nodes().forEach(n -> b.putNodeHostnames(n.getId(), n.getDescription().getHostname()));
            tx.services().forEach(s -> b.putServiceNames(s.getId(), s.getSpec().getAnnotations().getName()));
            return b.build();
        }));
    }

    @Override
    public void createNetwork(CreateNetworkRequest req, StreamObserver<Network> obs) {
        Calls.unary(obs, () -> {
            NetworkSpec spec = req.getSpec();
            String name = spec.getAnnotations().getName();
            if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}")) {
                throw Calls.invalid("name: '" + name + "' must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
            }
            if (spec.getDriver().isEmpty()) {
                spec = spec.toBuilder().setDriver("overlay").build();
            }
            if (!spec.getDriver().equals("overlay")) {
                throw Calls.invalid("driver: '" + spec.getDriver() + "' is not supported; use overlay");
            }
            if (spec.getIpamCount() > 1) {
                throw Calls.invalid("subnet: one subnet per network");
            }
            if (spec.getEncrypted()) {
                throw Calls.invalid("encrypted overlay networks are not supported yet");
            }
            String id = Ids.newId();
            NetworkSpec finalSpec = spec;
            writer.update(tx -> {
                if (tx.byName(ObjectKind.NETWORK, name).isPresent()) {
                    throw Calls.conflict("network " + name + " already exists");
                }
                Ipam ipam = Ipam.from(NetworkAllocations.state(tx));
                NetworkAllocation a;
                try {
                    String subnet = finalSpec.getIpamCount() == 0 || finalSpec.getIpam(0).getSubnet().isEmpty() ? null : finalSpec.getIpam(0).getSubnet();
                    String gateway = finalSpec.getIpamCount() == 0 || finalSpec.getIpam(0).getGateway().isEmpty() ? null : finalSpec.getIpam(0).getGateway();
                    a = ipam.allocateNetwork(id, subnet, gateway);
                } catch (IpamException | IllegalArgumentException e) {
                    throw Calls.invalid(e.getMessage());
                }
                return List.of(Batches.create(StoreObjects.wrap(Network.newBuilder().setId(id).setSpec(finalSpec)
                        .setVni(a.vni()).addIpam(IPAMConfig.newBuilder().setSubnet(a.subnet().toString())
                                .setGateway(a.gatewayText())).build())));
            });
            return store.view(tx -> tx.get(ObjectKind.NETWORK, id)).orElseThrow().getNetwork();
        });
    }

    @Override
    public void getNetwork(GetNetworkRequest req, StreamObserver<Network> obs) {
        Calls.unary(obs, () -> read(tx -> NetworkLookup.resolve(tx, req.getNetwork())));
    }

    @Override
    public void listNetworks(ListNetworksRequest req, StreamObserver<ListNetworksResponse> obs) {
        Calls.unary(obs, () -> read(tx -> ListNetworksResponse.newBuilder().addAllNetworks(tx.networks()).build()));
    }

    @Override
    public void removeNetwork(RemoveNetworkRequest req, StreamObserver<RemoveNetworkResponse> obs) {
        Calls.unary(obs, () -> {
            Network n = read(tx -> NetworkLookup.resolve(tx, req.getNetwork()));
            writer.update(tx -> {
                List<String> users = tx.services().stream()
                        .filter(s -> s.getSpec().getTask().getNetworksList().stream().anyMatch(c -> c.getTarget().equals(n.getId())))
                        .map(s -> s.getSpec().getAnnotations().getName()).toList();
                if (!users.isEmpty()) {
                    throw Calls.precondition("network " + n.getSpec().getAnnotations().getName() + " is in use by service"
                            + (users.size() > 1 ? "s " : " ") + String.join(", ", users));
                }
                boolean held = tx.tasks().stream().anyMatch(t -> t.getNetworksList().stream()
                        .anyMatch(a -> a.getNetworkId().equals(n.getId()) && a.getReleasedMs() == 0));
                if (held) {
                    throw Calls.precondition("network " + n.getSpec().getAnnotations().getName()
                            + " still has task endpoints; wait until the removed services' tasks are gone");
                }
                return tx.get(ObjectKind.NETWORK, n.getId())
                        .map(o -> List.of(Batches.remove(o))).orElse(List.of());
            });
            return RemoveNetworkResponse.newBuilder().setNetworkId(n.getId()).build();
        });
    }

    /** Service specs name networks by name or id; the store keeps ids. */
    /**
     * The spec with the ingress network attached exactly when it publishes ports; the ingress
     * network is made (into {@code actions}) if a user removed it.
     */
    private static ServiceSpec withIngress(ReadTx tx, ServiceSpec spec,
                                                        List<StoreAction> actions) {
        var ingress = Ingress.find(tx);
        if (ingress.isEmpty() && spec.getEndpoint().getPortsCount() > 0) {
            try {
                ingress = Ingress.make(tx);
            } catch (IllegalStateException e) {
                throw Calls.precondition(e.getMessage());
            }
            ingress.ifPresent(n -> actions.add(Batches.create(StoreObjects.wrap(n))));
        }
        return Ingress.attach(spec, ingress.map(Network::getId).orElse(null));
    }

    private ServiceSpec resolveNetworks(ServiceSpec spec) {
        if (spec.getTask().getNetworksCount() == 0) {
            return spec;
        }
        return read(tx -> {
            TaskSpec.Builder t = spec.getTask().toBuilder();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < t.getNetworksCount(); i++) {
                Network n;
                try {
                    n = NetworkLookup.resolve(tx, t.getNetworks(i).getTarget());
                } catch (StatusRuntimeException e) {
                    throw Calls.invalid("network: " + e.getStatus().getDescription());
                }
                if (!seen.add(n.getId())) {
                    throw Calls.invalid("network: " + n.getSpec().getAnnotations().getName() + " is given twice");
                }
                t.setNetworks(i, t.getNetworks(i).toBuilder().setTarget(n.getId()));
            }
            return spec.toBuilder().setTask(t).build();
        });
    }

    @Override
    public void serviceLogs(ServiceLogsRequest req, StreamObserver<LogLine> obs) {
        Map<String, Map<String, String>> byNode;
        Map<String, String> addrs = new HashMap<>();
        try {
            byNode = read(tx -> {
                List<Task> tasks = tx.task(req.getTarget()).map(List::of)
                        .orElseGet(() -> tx.tasksOfService(ServiceLookup.resolve(tx, req.getTarget()).getId()));
                Map<String, Map<String, String>> m = new TreeMap<>();
                for (Task t : tasks) {
                    var node = tx.node(t.getNodeId());
                    if (node.isEmpty()) {
                        continue;
                    }
                    String svc = tx.service(t.getServiceId()).map(x -> x.getSpec().getAnnotations().getName()).orElse(t.getServiceId());
                    m.computeIfAbsent(t.getNodeId(), k -> new TreeMap<>()).put(t.getId(), svc + "." + t.getSlot());
                    addrs.put(t.getNodeId(), node.get().getAdvertiseAddr());
                }
                return m;
            });
        } catch (RuntimeException e) {
            obs.onError(Calls.toStatus(e).asRuntimeException());
            return;
        }
        LogFanIn.stream(byNode, addrs, channels, req, (ServerCallStreamObserver<LogLine>) obs);
    }

    @Override
    public void getJoinTokens(GetJoinTokensRequest request, StreamObserver<JoinTokens> obs) {
        Calls.unary(obs, () -> read(tx -> tx.cluster().orElseThrow(() -> Calls.precondition("the cluster is not initialized yet"))
                .getRootCa().getJoinTokens()));
    }

    @Override
    public void rotateJoinToken(RotateJoinTokenRequest req, StreamObserver<JoinTokens> obs) {
        Calls.unary(obs, () -> {
            if (!req.getWorker() && !req.getManager()) {
                throw Calls.invalid("say which token to rotate: worker or manager");
            }
            writer.update(tx -> {
                Cluster c = tx.cluster().orElseThrow(() -> Calls.precondition("the cluster is not initialized yet"));
                Cluster.Builder cb = c.toBuilder();
                String digest = c.getRootCa().getCaDigest();
                var tokens = cb.getRootCaBuilder().getJoinTokensBuilder();
                if (req.getWorker()) {
                    tokens.setWorker(JoinToken.generate(digest, RANDOM).toString());
                }
                if (req.getManager()) {
                    tokens.setManager(JoinToken.generate(digest, RANDOM).toString());
                }
                return List.of(Batches.update(StoreObjects.wrap(cb.build())));
            });
            return store.view(tx -> tx.cluster().orElseThrow().getRootCa().getJoinTokens());
        });
    }
}
