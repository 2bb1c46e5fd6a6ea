package io.shoal.manager.control;

import io.grpc.StatusRuntimeException;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.Endpoint;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.ListServicesResponse;
import io.shoal.api.Network;
import io.shoal.api.RemoveServiceRequest;
import io.shoal.api.RemoveServiceResponse;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.UpdateServiceRequest;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.Ids;
import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.network.Ingress;
import io.shoal.manager.network.PublishedPorts;
import io.shoal.manager.orchestrator.Tasks;
import io.shoal.manager.orchestrator.update.Rollbacks;
import io.shoal.manager.orchestrator.update.Updater;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Services through the Control API: create, inspect, list, change and remove. A spec is resolved
 * (network names to ids; secret and config references to ids, with their defaults), normalized and
 * joined to the ingress network exactly when it publishes ports, in the same write as the service.
 */
public final class ServicesApi {
    private final ClusterStore store;
    private final StoreWriter writer;
    private final LinearizableReads reads;

    public ServicesApi(ClusterStore store, StoreWriter writer, Consensus consensus) {
        this.store = store;
        this.writer = writer;
        this.reads = new LinearizableReads(store, consensus);
    }

    private <T> T read(Function<ReadTx, T> fn) {
        return reads.read(fn);
    }

    public Service createService(CreateServiceRequest req) {
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
            ServiceSpec withIngress = withIngress(tx, ServiceReferences.resolve(tx, normalized), actions);
            Service svc = Service.newBuilder().setId(id).setSpec(withIngress)
                    .setEndpoint(Endpoint.newBuilder().setSpec(withIngress.getEndpoint())
                            .addAllPorts(PublishedPorts.allocate(tx, id, withIngress.getEndpoint(), List.of())))
                    .build();
            actions.add(Batches.create(StoreObjects.wrap(svc)));
            return actions;
        });
        return Redaction.service(store.view(tx -> tx.service(id)).orElseThrow());
    
    }

    public Service getService(GetServiceRequest req) {
        return Redaction.service(read(tx -> ServiceLookup.resolve(tx, req.getService())));
    }

    public ListServicesResponse listServices(ListServicesRequest req) {
        return read(tx -> {
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
        });
    }

    /**
     * A new spec (the previous one kept for a rollback, the update status reset so the update
     * starts over), or with {@code rollback} the previous spec back. An update that changes nothing
     * writes nothing, except that it resumes a paused update (as in swarm mode, where every update
     * resets the status).
     */
    public Service updateService(UpdateServiceRequest req) {
        String id = read(tx -> ServiceLookup.resolve(tx, req.getService())).getId();
        ServiceSpec spec = req.getRollback() ? null : ServiceSpecs.normalize(resolveNetworks(req.getSpec()));
        long now = System.currentTimeMillis();
        writer.update(tx -> {
            Service cur = tx.service(id).orElseThrow(() -> Calls.notFound("service " + req.getService() + " not found"));
            if (req.getVersion() != 0 && req.getVersion() != cur.getMeta().getVersion()) {
                throw Calls.precondition("service " + req.getService() + " changed since it was read (version "
                        + cur.getMeta().getVersion() + ", not " + req.getVersion() + "); read it again");
            }
            if (req.getRollback()) {
                return List.of(Batches.update(StoreObjects.wrap(rollBack(tx, cur, now))));
            }
            if (spec.getModeCase() != cur.getSpec().getModeCase()) {
                throw Calls.invalid("mode: a service's mode cannot change (it is " + mode(cur.getSpec()) + "); remove and create it again");
            }
            if (!spec.getAnnotations().getName().equals(cur.getSpec().getAnnotations().getName())) {
                throw Calls.invalid("name: a service cannot be renamed (it is " + cur.getSpec().getAnnotations().getName() + ")");
            }
            List<StoreAction> actions = new ArrayList<>();
            ServiceSpec next = withIngress(tx, ServiceReferences.resolve(tx, Redaction.keepStored(spec, cur.getSpec())), actions);
            Endpoint endpoint = cur.getEndpoint().toBuilder().setSpec(next.getEndpoint()).clearPorts()
                    .addAllPorts(PublishedPorts.allocate(tx, id, next.getEndpoint(), cur.getEndpoint().getPortsList())).build();
            if (cur.getSpec().equals(next) && cur.getEndpoint().equals(endpoint)) {
                return Updater.paused(cur) ? List.of(Batches.update(StoreObjects.wrap(cur.toBuilder().clearUpdateStatus().build())))
                        : List.of();
            }
            actions.add(Batches.update(StoreObjects.wrap(cur.toBuilder()
                    .setPreviousSpec(cur.getSpec()).setPreviousSpecVersion(cur.getSpecVersion())
                    .setSpec(next).setSpecVersion(cur.getMeta().getVersion()).clearUpdateStatus()
                    .setEndpoint(endpoint).build())));
            return actions;
        });
        return Redaction.service(store.view(tx -> tx.service(id)).orElseThrow());
    }

    /** The service back on its previous spec, as docker's {@code service update --rollback}. */
    private static Service rollBack(ReadTx tx, Service cur, long nowMs) {
        if (!cur.hasPreviousSpec()) {
            throw Calls.precondition("service " + cur.getSpec().getAnnotations().getName()
                    + " has no previous spec to roll back to (it was never updated, or an automatic rollback used it)");
        }
        return Rollbacks.rollBack(tx, cur, true, "manually requested rollback", nowMs);
    }

    private static String mode(ServiceSpec s) {
        return switch (s.getModeCase()) {
            case GLOBAL -> "global";
            case REPLICATED_JOB -> "replicated-job";
            case GLOBAL_JOB -> "global-job";
            default -> "replicated";
        };
    }

    public RemoveServiceResponse removeService(RemoveServiceRequest req) {
        Service s = read(tx -> ServiceLookup.resolve(tx, req.getService()));
        writer.update(tx -> tx.service(s.getId()).map(x -> List.of(Batches.remove(StoreObjects.wrap(x)))).orElse(List.of()));
        return RemoveServiceResponse.newBuilder().setServiceId(s.getId()).build();
    
    }

    /**
     * The spec with the ingress network attached exactly when it publishes ports; the ingress
     * network is made (into {@code actions}) if a user removed it.
     */
    private static ServiceSpec withIngress(ReadTx tx, ServiceSpec spec, List<StoreAction> actions) {
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

    /** Service specs name networks by name or id; the store keeps ids. */
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
}
