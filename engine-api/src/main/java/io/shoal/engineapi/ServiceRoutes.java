package io.shoal.engineapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.ListServicesResponse;
import io.shoal.api.PullOptions;
import io.shoal.api.RemoveServiceRequest;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.UpdateServiceRequest;
import io.shoal.dockermodel.Filters;
import io.shoal.dockermodel.Json;
import io.shoal.dockermodel.ServiceJson;
import io.shoal.dockermodel.ServiceSpecJson;
import io.shoal.dockermodel.Unchanged;

import java.util.Set;

/** {@code /services}: create, list, inspect, update (with {@code version} and {@code rollback=previous}), delete, logs. */
final class ServiceRoutes {
    private static final Set<String> FILTERS = Set.of("id", "label", "mode", "name");
    private final Backend backend;
    private final LogStreams logs;

    ServiceRoutes(Backend backend, LogStreams logs) {
        this.backend = backend;
        this.logs = logs;
    }

    void register(Router r) {
        r.get("/services", this::list);
        r.post("/services/create", this::create);
        r.get("/services/{id}", this::inspect);
        r.delete("/services/{id}", this::remove);
        r.post("/services/{id}/update", this::update);
        r.get("/services/{id}/logs", this::logs);
    }

    private static String mode(ServiceSpec s) {
        return switch (s.getModeCase()) {
            case GLOBAL -> "global";
            case REPLICATED_JOB -> "replicated-job";
            case GLOBAL_JOB -> "global-job";
            default -> "replicated";
        };
    }

    private void list(Request req, Exchange ex) {
        backend.requireManager();
        Filters f = Filters.parse(req.query("filters"), FILTERS);
        boolean status = req.flag("status");
        String ingress = backend.ingressId();
        ListServicesResponse resp = backend.control().listServices(ListServicesRequest.getDefaultInstance());
        ArrayNode out = Json.array();
        for (Service s : resp.getServicesList()) {
            if (f.prefix("id", s.getId()) && f.prefix("name", s.getSpec().getAnnotations().getName())
                    && f.exact("mode", mode(s.getSpec())) && f.labels("label", s.getSpec().getAnnotations().getLabelsMap())) {
                ServiceJson.Counts counts = status ? new ServiceJson.Counts(resp.getRunningOrDefault(s.getId(), 0),
                        resp.getDesiredOrDefault(s.getId(), 0), resp.getCompletedOrDefault(s.getId(), 0)) : null;
                out.add(ServiceJson.write(s, ingress, counts));
            }
        }
        ex.json(200, out);
    }

    private Service get(String id) {
        return backend.control().getService(GetServiceRequest.newBuilder().setService(id).build());
    }

    private void inspect(Request req, Exchange ex) {
        backend.requireManager();
        ex.json(200, ServiceJson.write(get(req.param("id")), backend.ingressId(), null));
    }

    private void create(Request req, Exchange ex) {
        backend.requireManager();
        ServiceSpec spec = ServiceSpecJson.read(req.json());
        String auth = RegistryAuth.of(req.header("x-registry-auth"));
        if (!auth.isEmpty()) {
            ServiceSpec.Builder b = spec.toBuilder();
            b.getTaskBuilder().getContainerBuilder().setPullOptions(PullOptions.newBuilder().setRegistryAuth(auth));
            spec = b.build();
        }
        Service s = backend.control().createService(CreateServiceRequest.newBuilder().setSpec(spec).build());
        ex.json(201, Json.object().put("ID", s.getId()));
    }

    private void remove(Request req, Exchange ex) {
        backend.requireManager();
        backend.control().removeService(RemoveServiceRequest.newBuilder().setService(req.param("id")).build());
        ex.empty(200);
    }

    /**
     * Docker posts the whole new spec with the version it read. What it posts back as it was shown
     * keeps Shoal's stored form ({@link Unchanged}); {@code rollback=previous} is the managers'
     * rollback (the previous spec, rolled out with the rollback config), whatever the body says
     * (as dockerd). Registry credentials stay those stored unless the request sends new ones in
     * {@code X-Registry-Auth}.
     */
    private void update(Request req, Exchange ex) {
        backend.requireManager();
        Service cur = get(req.param("id"));
        long version = req.number("version", -1);
        if (version < 0) {
            throw ApiError.badRequest("invalid service version: the version parameter is required");
        }
        String rollback = req.query("rollback");
        if (rollback != null && !rollback.isEmpty()) {
            if (!rollback.equals("previous")) {
                throw ApiError.badRequest("invalid value for rollback: '" + rollback + "' (only previous)");
            }
            if (!cur.hasPreviousSpec()) {
                throw ApiError.badRequest("service " + cur.getSpec().getAnnotations().getName() + " does not have a previous spec");
            }
            // the managers' rollback: the previous spec, rolled out with the rollback config
            backend.control().updateService(UpdateServiceRequest.newBuilder().setService(cur.getId()).setRollback(true)
                    .setVersion(version).build());
            ex.json(200, Json.object().putNull("Warnings"));
            return;
        }
        ServiceSpec spec = Unchanged.keep(cur.getSpec(), ServiceSpecJson.read(req.json()), backend.ingressId());
        String from = req.query("registryAuthFrom");
        if (from != null && !from.isEmpty() && !from.equals("spec") && !from.equals("previous-spec")) {
            throw ApiError.badRequest("invalid value for registryAuthFrom: '" + from + "' (spec or previous-spec)");
        }
        String auth = RegistryAuth.of(req.header("x-registry-auth"));
        ServiceSpec.Builder b = spec.toBuilder();
        var container = b.getTaskBuilder().getContainerBuilder();
        var stored = cur.getSpec().getTask().getContainer();
        if (!auth.isEmpty()) {
            container.setPullOptions(PullOptions.newBuilder().setRegistryAuth(auth));
        } else if (stored.hasPullOptions()) {
            container.setPullOptions(stored.getPullOptions());
        } else {
            container.clearPullOptions();
        }
        backend.control().updateService(UpdateServiceRequest.newBuilder().setService(cur.getId()).setSpec(b).setVersion(version).build());
        ex.json(200, Json.object().putNull("Warnings"));
    }

    private void logs(Request req, Exchange ex) {
        backend.requireManager();
        LogStreams.Options o = LogStreams.Options.of(req);
        Service s = get(req.param("id"));
        logs.stream(s.getId(), s.getId(), o, ex);
    }
}
