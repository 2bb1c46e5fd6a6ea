package io.shoal.engineapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.shoal.api.Config;
import io.shoal.api.CreateConfigRequest;
import io.shoal.api.CreateSecretRequest;
import io.shoal.api.GetConfigRequest;
import io.shoal.api.GetSecretRequest;
import io.shoal.api.ListConfigsRequest;
import io.shoal.api.ListSecretsRequest;
import io.shoal.api.RemoveConfigRequest;
import io.shoal.api.RemoveSecretRequest;
import io.shoal.api.Secret;
import io.shoal.dockermodel.Filters;
import io.shoal.dockermodel.Json;
import io.shoal.dockermodel.SecretJson;

import java.util.Map;
import java.util.Set;

/**
 * {@code /secrets} and {@code /configs}: create, list, inspect, delete, as Shoal's secrets and
 * configs (a secret's value is never returned). Docker lets an update change labels only; Shoal's
 * secrets and configs have no update, so it is refused.
 */
final class SecretRoutes {
    private static final Set<String> FILTERS = Set.of("id", "label", "name", "names");
    private final Backend backend;

    SecretRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router r) {
        r.get("/secrets", this::listSecrets);
        r.post("/secrets/create", (req, ex) -> {
            backend.requireManager();
            Secret s = backend.control().createSecret(CreateSecretRequest.newBuilder().setSpec(SecretJson.readSecret(req.json())).build());
            ex.json(201, Json.object().put("ID", s.getId()));
        });
        r.get("/secrets/{id}", (req, ex) -> {
            backend.requireManager();
            ex.json(200, SecretJson.write(backend.control().getSecret(GetSecretRequest.newBuilder().setSecret(req.param("id")).build())));
        });
        r.delete("/secrets/{id}", (req, ex) -> {
            backend.requireManager();
            backend.control().removeSecret(RemoveSecretRequest.newBuilder().setSecret(req.param("id")).build());
            ex.empty(204);
        });
        r.get("/configs", this::listConfigs);
        r.post("/configs/create", (req, ex) -> {
            backend.requireManager();
            Config c = backend.control().createConfig(CreateConfigRequest.newBuilder().setSpec(SecretJson.readConfig(req.json())).build());
            ex.json(201, Json.object().put("ID", c.getId()));
        });
        r.get("/configs/{id}", (req, ex) -> {
            backend.requireManager();
            ex.json(200, SecretJson.write(backend.control().getConfig(GetConfigRequest.newBuilder().setConfig(req.param("id")).build())));
        });
        r.delete("/configs/{id}", (req, ex) -> {
            backend.requireManager();
            backend.control().removeConfig(RemoveConfigRequest.newBuilder().setConfig(req.param("id")).build());
            ex.empty(204);
        });
        for (String kind : new String[] {"secrets", "configs"}) {
            r.post("/" + kind + "/{id}/update", (req, ex) -> {
                backend.requireManager();
                throw ApiError.badRequest("updating " + kind + " is not supported by Shoal: create a new one and point services at it");
            });
        }
    }

    private static boolean matches(Filters f, String id, String name, Map<String, String> labels) {
        return f.prefix("id", id) && f.prefix("name", name) && f.exact("names", name) && f.labels("label", labels);
    }

    private void listSecrets(Request req, Exchange ex) {
        backend.requireManager();
        Filters f = Filters.parse(req.query("filters"), FILTERS);
        ArrayNode out = Json.array();
        for (Secret s : backend.control().listSecrets(ListSecretsRequest.getDefaultInstance()).getSecretsList()) {
            if (matches(f, s.getId(), s.getSpec().getAnnotations().getName(), s.getSpec().getAnnotations().getLabelsMap())) {
                out.add(SecretJson.write(s));
            }
        }
        ex.json(200, out);
    }

    private void listConfigs(Request req, Exchange ex) {
        backend.requireManager();
        Filters f = Filters.parse(req.query("filters"), FILTERS);
        ArrayNode out = Json.array();
        for (Config c : backend.control().listConfigs(ListConfigsRequest.getDefaultInstance()).getConfigsList()) {
            if (matches(f, c.getId(), c.getSpec().getAnnotations().getName(), c.getSpec().getAnnotations().getLabelsMap())) {
                out.add(SecretJson.write(c));
            }
        }
        ex.json(200, out);
    }
}
