package io.shoal.manager.store;

import io.shoal.api.Cluster;
import io.shoal.api.Config;
import io.shoal.api.Network;
import io.shoal.api.Node;
import io.shoal.api.Secret;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.raft.StoreObject;

import java.util.List;
import java.util.Optional;

/** A consistent read view of the store: valid only inside {@link ClusterStore#view}. Lists are sorted by id. */
public interface ReadTx {
    long index();

    Optional<StoreObject> get(ObjectKind kind, String id);

    List<StoreObject> list(ObjectKind kind);

    Optional<StoreObject> byName(ObjectKind kind, String name);

    default Optional<Node> node(String id) {
        return get(ObjectKind.NODE, id).map(StoreObject::getNode);
    }

    default List<Node> nodes() {
        return list(ObjectKind.NODE).stream().map(StoreObject::getNode).toList();
    }

    default Optional<Service> service(String id) {
        return get(ObjectKind.SERVICE, id).map(StoreObject::getService);
    }

    default List<Service> services() {
        return list(ObjectKind.SERVICE).stream().map(StoreObject::getService).toList();
    }

    default Optional<Task> task(String id) {
        return get(ObjectKind.TASK, id).map(StoreObject::getTask);
    }

    default List<Task> tasks() {
        return list(ObjectKind.TASK).stream().map(StoreObject::getTask).toList();
    }

    default List<Task> tasksOfService(String serviceId) {
        return tasks().stream().filter(t -> t.getServiceId().equals(serviceId)).toList();
    }

    default List<Task> tasksOnNode(String nodeId) {
        return tasks().stream().filter(t -> t.getNodeId().equals(nodeId)).toList();
    }

    /** The tasks whose observed state is {@code state}. */
    default List<Task> tasksInState(TaskState state) {
        return tasks().stream().filter(t -> t.getStatus().getState() == state).toList();
    }

    default int taskCount() {
        return list(ObjectKind.TASK).size();
    }

    default List<Network> networks() {
        return list(ObjectKind.NETWORK).stream().map(StoreObject::getNetwork).toList();
    }

    default List<Secret> secrets() {
        return list(ObjectKind.SECRET).stream().map(StoreObject::getSecret).toList();
    }

    default List<Config> configs() {
        return list(ObjectKind.CONFIG).stream().map(StoreObject::getConfig).toList();
    }

    /** The cluster object; there is at most one. */
    default Optional<Cluster> cluster() {
        List<StoreObject> l = list(ObjectKind.CLUSTER);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0).getCluster());
    }
}
