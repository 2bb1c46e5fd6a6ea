package io.shoal.dockermodel;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shoal.api.NetworkAttachment;
import io.shoal.api.PortConfig;
import io.shoal.api.Task;
import io.shoal.api.TaskStatus;

import java.util.List;

/** A task as docker's {@code GET /tasks/{id}} returns it. */
public final class TaskJson {
    private TaskJson() {}

    /** {@code ingressId} (may be null) as for {@link TaskSpecJson#write}. */
    public static ObjectNode write(Task t, String ingressId) {
        ObjectNode o = Json.object();
        o.put("ID", t.getId());
        ServiceJson.meta(o, t.getMeta());
        if (!t.getAnnotations().getName().isEmpty()) {
            o.put("Name", t.getAnnotations().getName());
        }
        o.set("Labels", Json.map(t.getAnnotations().getLabelsMap()));
        o.set("Spec", TaskSpecJson.write(t.getSpec(), ingressId));
        o.put("ServiceID", t.getServiceId());
        if (t.getSlot() > 0) {
            o.put("Slot", t.getSlot());
        }
        if (!t.getNodeId().isEmpty()) {
            o.put("NodeID", t.getNodeId());
        }
        TaskStatus s = t.getStatus();
        ObjectNode st = o.putObject("Status");
        st.put("Timestamp", Json.time(s.getTimestampMs()));
        st.put("State", Names.taskState(s.getState()));
        st.put("Message", s.getMessage());
        if (!s.getErr().isEmpty()) {
            st.put("Err", s.getErr());
        }
        if (!s.getContainerId().isEmpty() || s.getHasExitCode()) {
            ObjectNode cs = st.putObject("ContainerStatus");
            cs.put("ContainerID", s.getContainerId());
            cs.put("ExitCode", s.getExitCode());
        }
        // as swarmkit: a task's own ports are its host-mode ones (ingress ports belong to the service)
        ObjectNode ps = st.putObject("PortStatus");
        List<PortConfig> host = t.getEndpoint().getPortsList().stream()
                .filter(p -> p.getPublishMode() == PortConfig.PublishMode.HOST).toList();
        if (!host.isEmpty()) {
            ArrayNode ports = ps.putArray("Ports");
            host.forEach(p -> ports.add(ServiceSpecJson.port(p)));
        }
        o.put("DesiredState", Names.taskState(t.getDesiredState()));
        if (t.getNetworksCount() > 0) {
            ArrayNode nets = o.putArray("NetworksAttachments");
            for (NetworkAttachment n : t.getNetworksList()) {
                ObjectNode a = nets.addObject();
                a.putObject("Network").put("ID", n.getNetworkId());
                a.putArray("Addresses").add(n.getAddress());
            }
        }
        return o;
    }
}
