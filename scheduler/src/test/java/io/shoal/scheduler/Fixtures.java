package io.shoal.scheduler;

import io.shoal.api.Annotations;
import io.shoal.api.Node;
import io.shoal.api.NodeAvailability;
import io.shoal.api.NodeDescription;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeSpec;
import io.shoal.api.NodeStatus;
import io.shoal.api.Placement;
import io.shoal.api.Platform;
import io.shoal.api.ResourceRequirements;
import io.shoal.api.Resources;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;

import java.util.List;
import java.util.Map;

/** Small builders for scheduler tests. */
final class Fixtures {
    static final long GB = 1L << 30;
    static final long CPU = 1_000_000_000L;

    private Fixtures() {}

    static Node node(String id, Map<String, String> labels) {
        return Node.newBuilder().setId(id)
                .setSpec(NodeSpec.newBuilder().setAnnotations(Annotations.newBuilder().putAllLabels(labels)))
                .setDescription(NodeDescription.newBuilder().setHostname("host-" + id)
                        .setPlatform(Platform.newBuilder().setOs("linux").setArchitecture("x86_64"))
                        .setResources(Resources.newBuilder().setNanoCpus(4 * CPU).setMemoryBytes(8 * GB)))
                .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY))
                .setRole(NodeRole.NODE_ROLE_WORKER)
                .build();
    }

    static Node node(String id) {
        return node(id, Map.of());
    }

    static Node drained(String id) {
        Node n = node(id);
        return n.toBuilder().setSpec(n.getSpec().toBuilder().setAvailability(NodeAvailability.NODE_AVAILABILITY_DRAIN)).build();
    }

    static Node down(String id) {
        return node(id).toBuilder().setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.DOWN)).build();
    }

    static Task task(String service, int slot) {
        return Task.newBuilder().setId(service + "." + slot).setServiceId(service).setSlot(slot)
                .setSpec(TaskSpec.getDefaultInstance()).build();
    }

    static Task task(String service, int slot, TaskSpec spec) {
        return task(service, slot).toBuilder().setSpec(spec).build();
    }

    static TaskSpec memory(long bytes) {
        return TaskSpec.newBuilder().setResources(ResourceRequirements.newBuilder()
                .setReservations(Resources.newBuilder().setMemoryBytes(bytes))).build();
    }

    static TaskSpec constraints(String... c) {
        return TaskSpec.newBuilder().setPlacement(Placement.newBuilder().addAllConstraints(List.of(c))).build();
    }
}
