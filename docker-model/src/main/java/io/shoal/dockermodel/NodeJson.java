package io.shoal.dockermodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shoal.api.Node;
import io.shoal.api.NodeAvailability;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeView;

import java.util.Map;

/** A node as docker's {@code GET /nodes/{id}} returns it, and the {@code NodeSpec} its update posts. */
public final class NodeJson {
    private NodeJson() {}

    /** A node spec as posted to {@code /nodes/{id}/update}: docker replaces the whole spec. */
    public record Spec(String name, Map<String, String> labels, NodeRole role, NodeAvailability availability) {}

    public static ObjectNode write(NodeView v) {
        Node n = v.getNode();
        ObjectNode o = Json.object();
        o.put("ID", n.getId());
        ServiceJson.meta(o, n.getMeta());
        ObjectNode spec = o.putObject("Spec");
        if (!n.getSpec().getAnnotations().getName().isEmpty()) {
            spec.put("Name", n.getSpec().getAnnotations().getName());
        }
        spec.set("Labels", Json.map(n.getSpec().getAnnotations().getLabelsMap()));
        spec.put("Role", Names.role(n.getSpec().getDesiredRole()));
        spec.put("Availability", Names.availability(n.getSpec().getAvailability()));
        ObjectNode d = o.putObject("Description");
        d.put("Hostname", n.getDescription().getHostname());
        d.putObject("Platform").put("Architecture", n.getDescription().getPlatform().getArchitecture())
                .put("OS", n.getDescription().getPlatform().getOs());
        d.putObject("Resources").put("NanoCPUs", n.getDescription().getResources().getNanoCpus())
                .put("MemoryBytes", n.getDescription().getResources().getMemoryBytes());
        ObjectNode engine = d.putObject("Engine");
        engine.put("EngineVersion", n.getDescription().getEngineVersion());
        engine.set("Labels", Json.map(n.getDescription().getEngineLabelsMap()));
        ObjectNode st = o.putObject("Status");
        st.put("State", Names.nodeState(n.getStatus().getState()));
        if (!n.getStatus().getMessage().isEmpty()) {
            st.put("Message", n.getStatus().getMessage());
        }
        st.put("Addr", n.getStatus().getAddr());
        if (n.getRole() == NodeRole.NODE_ROLE_MANAGER || n.hasManagerStatus()) {
            ObjectNode m = o.putObject("ManagerStatus");
            if (v.getManagerReachability() == NodeView.Reachability.LEADER) {
                m.put("Leader", true);
            }
            m.put("Reachability", switch (v.getManagerReachability()) {
                case LEADER, REACHABLE -> "reachable";
                case UNREACHABLE -> "unreachable";
                default -> "unknown";
            });
            m.put("Addr", n.getAdvertiseAddr());
        }
        return o;
    }

    public static Spec readSpec(JsonNode body) {
        JsonReader r = JsonReader.of(body, "NodeSpec");
        String name = r.string("Name");
        Map<String, String> labels = r.map("Labels");
        String role = r.string("Role");
        String availability = r.string("Availability");
        r.done();
        if (role.isEmpty()) {
            throw new InvalidSpec(r.path("Role") + ": a node spec names its role (worker or manager)");
        }
        if (availability.isEmpty()) {
            throw new InvalidSpec(r.path("Availability") + ": a node spec names its availability (active, pause or drain)");
        }
        return new Spec(name, labels, Names.role(r.path("Role"), role), Names.availability(r.path("Availability"), availability));
    }
}
