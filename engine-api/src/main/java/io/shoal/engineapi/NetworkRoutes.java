package io.shoal.engineapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.shoal.api.CreateNetworkRequest;
import io.shoal.api.GetNetworkRequest;
import io.shoal.api.ListNetworksRequest;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.ListTasksResponse;
import io.shoal.api.Network;
import io.shoal.api.RemoveNetworkRequest;
import io.shoal.api.Service;
import io.shoal.dockermodel.Filters;
import io.shoal.dockermodel.Json;
import io.shoal.dockermodel.NetworkJson;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code /networks}: Shoal's overlay networks (swarm scope). A node has no local networks of its
 * own to show, so listings hold the cluster's networks only, on managers; a worker answers as
 * dockerd's swarm part does there.
 */
final class NetworkRoutes {
    private static final Set<String> FILTERS = Set.of("dangling", "driver", "id", "label", "name", "scope", "type");
    private static final long RELEASE_WAIT_MS = 60_000;
    private final Backend backend;

    NetworkRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router r) {
        r.get("/networks", this::list);
        r.get("/networks/{id}", this::inspect);
        r.delete("/networks/{id}", this::remove);
        r.post("/networks/create", this::create);
    }

    private void list(Request req, Exchange ex) {
        backend.requireManager();
        Filters f = Filters.parse(req.query("filters"), FILTERS);
        if (f.has("dangling")) {
            throw ApiError.badRequest("invalid filter 'dangling': not supported by Shoal");
        }
        ArrayNode out = Json.array();
        for (Network n : backend.control().listNetworks(ListNetworksRequest.getDefaultInstance()).getNetworksList()) {
            String name = n.getSpec().getAnnotations().getName();
            // docker matches network names and ids as substrings and prefixes respectively
            if (f.any("name", name::contains) && f.prefix("id", n.getId()) && f.exact("driver", "overlay")
                    && f.exact("scope", "swarm") && f.exact("type", "custom")
                    && f.labels("label", n.getSpec().getAnnotations().getLabelsMap())) {
                out.add(NetworkJson.write(n));
            }
        }
        ex.json(200, out);
    }

    private void inspect(Request req, Exchange ex) {
        backend.requireManager();
        ex.json(200, NetworkJson.write(backend.control().getNetwork(GetNetworkRequest.newBuilder().setNetwork(req.param("id")).build())));
    }

    /**
     * dockerd removes a network as soon as no service uses it; Shoal keeps it until the tasks of
     * the removed services have given their addresses back. So that {@code docker stack rm} (which
     * removes the services, then at once the networks) works, the removal waits for that, as long
     * as no service uses the network, up to {@link #RELEASE_WAIT_MS}.
     */
    private void remove(Request req, Exchange ex) throws InterruptedException {
        backend.requireManager();
        Network n = backend.control().getNetwork(GetNetworkRequest.newBuilder().setNetwork(req.param("id")).build());
        long deadline = System.nanoTime() + RELEASE_WAIT_MS * 1_000_000L;
        long pause = 50;
        while (held(n.getId()) && System.nanoTime() < deadline) {
            Thread.sleep(pause);
            pause = Math.min(pause * 2, 500);
        }
        backend.control().removeNetwork(RemoveNetworkRequest.newBuilder().setNetwork(n.getId()).build());
        ex.empty(204);
    }

    /** Whether tasks of services that no longer exist still hold addresses on the network. */
    private boolean held(String networkId) {
        ListTasksResponse tasks = backend.control().listTasks(ListTasksRequest.getDefaultInstance());
        var services = backend.control().listServices(ListServicesRequest.getDefaultInstance()).getServicesList().stream()
                .map(Service::getId).collect(Collectors.toSet());
        return tasks.getTasksList().stream().anyMatch(t -> !services.contains(t.getServiceId())
                && t.getNetworksList().stream().anyMatch(a -> a.getNetworkId().equals(networkId) && a.getReleasedMs() == 0));
    }

    private void create(Request req, Exchange ex) {
        backend.requireManager();
        Network n = backend.control().createNetwork(CreateNetworkRequest.newBuilder().setSpec(NetworkJson.readCreate(req.json())).build());
        ex.json(201, Json.object().put("Id", n.getId()).put("Warning", ""));
    }
}
