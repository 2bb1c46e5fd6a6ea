package io.shoal.engineapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.ListTasksResponse;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.dockermodel.Filters;
import io.shoal.dockermodel.Json;
import io.shoal.dockermodel.TaskJson;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /tasks}: list (docker's filters), inspect, logs. */
final class TaskRoutes {
    /** docker's CLI asks, while it shows a service converge, only for tasks of the service's current spec. */
    private static final String UP_TO_DATE = "_up-to-date";
    private static final Set<String> FILTERS = Set.of("desired-state", "id", "label", "name", "node", "service", UP_TO_DATE);
    private final Backend backend;
    private final LogStreams logs;

    TaskRoutes(Backend backend, LogStreams logs) {
        this.backend = backend;
        this.logs = logs;
    }

    void register(Router r) {
        r.get("/tasks", this::list);
        r.get("/tasks/{id}", this::inspect);
        r.get("/tasks/{id}/logs", this::logs);
    }

    private void list(Request req, Exchange ex) {
        backend.requireManager();
        Filters f = Filters.parse(req.query("filters"), FILTERS);
        for (String s : f.get("desired-state")) {
            if (!List.of("running", "shutdown", "accepted").contains(s)) {
                throw ApiError.badRequest("Invalid task desired state '" + s + "': not one of running, shutdown, accepted");
            }
        }
        ListTasksRequest.Builder q = ListTasksRequest.newBuilder();
        // one service or node is asked of the Control API; several are filtered here
        if (f.get("service").size() == 1) {
            q.setService(f.get("service").get(0));
        }
        if (f.get("node").size() == 1) {
            q.setNode(f.get("node").get(0));
        }
        ListTasksResponse resp = backend.control().listTasks(q.build());
        Map<String, Service> current = new HashMap<>();
        if (f.has(UP_TO_DATE)) {
            backend.control().listServices(ListServicesRequest.getDefaultInstance()).getServicesList()
                    .forEach(s -> current.put(s.getId(), s));
        }
        String ingress = backend.ingressId();
        ArrayNode out = Json.array();
        for (Task t : resp.getTasksList()) {
            String service = resp.getServiceNamesOrDefault(t.getServiceId(), "");
            String host = resp.getNodeHostnamesOrDefault(t.getNodeId(), "");
            String name = service + "." + (t.getSlot() > 0 ? Long.toString(t.getSlot()) : t.getNodeId());
            if (f.prefix("id", t.getId()) && f.prefix("name", name)
                    && f.labels("label", t.getAnnotations().getLabelsMap())
                    && f.any("service", v -> t.getServiceId().startsWith(v) || v.equals(service))
                    && f.any("node", v -> t.getNodeId().startsWith(v) || v.equals(host))
                    && f.any("desired-state", v -> desired(v, t.getDesiredState()))
                    && (!f.has(UP_TO_DATE) || upToDate(current.get(t.getServiceId()), t))) {
                out.add(TaskJson.write(t, ingress));
            }
        }
        ex.json(200, out);
    }

    /** As the manager's own rule: made at the service's version, or from a spec equal to its current one. */
    private static boolean upToDate(Service s, Task t) {
        if (s == null) {
            return false;
        }
        return t.getSpecVersion() == s.getSpecVersion() && t.getSpecVersion() != 0 || withoutAuth(t.getSpec()).equals(withoutAuth(s.getSpec().getTask()));
    }

    private static TaskSpec withoutAuth(TaskSpec t) {
        TaskSpec.Builder b = t.toBuilder();
        b.getContainerBuilder().clearPullOptions();
        return b.build();
    }

    private static boolean desired(String filter, TaskState d) {
        return switch (filter) {
            case "running" -> d == TaskState.TASK_STATE_RUNNING;
            case "accepted" -> d == TaskState.TASK_STATE_ACCEPTED;
            default -> d.getNumber() >= TaskState.TASK_STATE_SHUTDOWN_VALUE;
        };
    }

    /** The task with this id, or the one task whose id starts with it. */
    private Task find(String id) {
        Task found = null;
        for (Task t : backend.control().listTasks(ListTasksRequest.getDefaultInstance()).getTasksList()) {
            if (t.getId().equals(id)) {
                return t;
            }
            if (t.getId().startsWith(id)) {
                if (found != null) {
                    throw ApiError.badRequest("task " + id + " is ambiguous (more than one task has this prefix)");
                }
                found = t;
            }
        }
        if (found == null) {
            throw ApiError.notFound("task " + id + " not found");
        }
        return found;
    }

    private void inspect(Request req, Exchange ex) {
        backend.requireManager();
        ex.json(200, TaskJson.write(find(req.param("id")), backend.ingressId()));
    }

    private void logs(Request req, Exchange ex) {
        backend.requireManager();
        LogStreams.Options o = LogStreams.Options.of(req);
        Task t = find(req.param("id"));
        logs.stream(t.getId(), t.getServiceId(), o, ex);
    }
}
