package io.shoal.engineapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.shoal.api.GetNodeRequest;
import io.shoal.api.ListNodesRequest;
import io.shoal.api.Node;
import io.shoal.api.NodeView;
import io.shoal.api.RemoveNodeRequest;
import io.shoal.api.UpdateNodeRequest;
import io.shoal.dockermodel.Filters;
import io.shoal.dockermodel.Json;
import io.shoal.dockermodel.Names;
import io.shoal.dockermodel.NodeJson;

import java.util.Set;

/** {@code /nodes}: list, inspect, update (docker's whole-spec update as Shoal's changes) and delete. */
final class NodeRoutes {
    private static final Set<String> FILTERS = Set.of("id", "label", "membership", "name", "node.label", "role");
    private final Backend backend;

    NodeRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router r) {
        r.get("/nodes", this::list);
        r.get("/nodes/{id}", this::inspect);
        r.delete("/nodes/{id}", this::remove);
        r.post("/nodes/{id}/update", this::update);
    }

    private void list(Request req, Exchange ex) {
        backend.requireManager();
        Filters f = Filters.parse(req.query("filters"), FILTERS);
        ArrayNode out = Json.array();
        for (NodeView v : backend.control().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList()) {
            Node n = v.getNode();
            if (f.prefix("id", n.getId()) && f.prefix("name", n.getDescription().getHostname())
                    && f.labels("label", n.getDescription().getEngineLabelsMap())
                    && f.labels("node.label", n.getSpec().getAnnotations().getLabelsMap())
                    && f.exact("role", Names.role(n.getSpec().getDesiredRole()))
                    && f.exact("membership", "accepted")) {
                out.add(NodeJson.write(v));
            }
        }
        ex.json(200, out);
    }

    private NodeView get(String id) {
        return backend.control().getNode(GetNodeRequest.newBuilder().setNode(id).build());
    }

    private void inspect(Request req, Exchange ex) {
        backend.requireManager();
        ex.json(200, NodeJson.write(get(req.param("id"))));
    }

    private void remove(Request req, Exchange ex) {
        backend.requireManager();
        backend.control().removeNode(RemoveNodeRequest.newBuilder().setNode(req.param("id")).setForce(req.flag("force")).build());
        ex.empty(200);
    }

    /**
     * Docker posts the node's whole new spec with the version it read; Shoal's update names what
     * changes. The version is checked against the node as read here.
     */
    private void update(Request req, Exchange ex) {
        backend.requireManager();
        NodeJson.Spec spec = NodeJson.readSpec(req.json());
        Node cur = get(req.param("id")).getNode();
        long version = req.number("version", -1);
        if (version < 0) {
            throw ApiError.badRequest("invalid node version: the version parameter is required");
        }
        if (version != cur.getMeta().getVersion()) {
            throw ApiError.badRequest("update out of sequence: node " + cur.getId() + " is at version "
                    + cur.getMeta().getVersion() + ", not " + version + "; read it again");
        }
        if (!spec.name().isEmpty() && !spec.name().equals(cur.getSpec().getAnnotations().getName())) {
            throw ApiError.badRequest("Name: renaming a node is not supported by Shoal");
        }
        UpdateNodeRequest.Builder u = UpdateNodeRequest.newBuilder().setNode(cur.getId());
        if (spec.availability() != cur.getSpec().getAvailability()) {
            u.setSetAvailability(true).setAvailability(spec.availability());
        }
        if (spec.role() != cur.getSpec().getDesiredRole()) {
            u.setSetRole(true).setRole(spec.role());
        }
        var labels = cur.getSpec().getAnnotations().getLabelsMap();
        spec.labels().forEach((k, v) -> {
            if (!v.equals(labels.get(k))) {
                u.putLabelAdd(k, v);
            }
        });
        labels.keySet().stream().filter(k -> !spec.labels().containsKey(k)).forEach(u::addLabelRm);
        backend.control().updateNode(u.build());
        ex.empty(200);
    }
}
