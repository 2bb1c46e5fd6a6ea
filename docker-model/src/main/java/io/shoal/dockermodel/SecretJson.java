package io.shoal.dockermodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.shoal.api.Annotations;
import io.shoal.api.Config;
import io.shoal.api.ConfigSpec;
import io.shoal.api.Secret;
import io.shoal.api.SecretSpec;

import java.util.Base64;

/**
 * Secrets and configs as docker's {@code /secrets} and {@code /configs} show them (a secret's value
 * never, a config's data base64-encoded), and the bodies of their create.
 */
public final class SecretJson {
    private SecretJson() {}

    public static ObjectNode write(Secret s) {
        ObjectNode o = Json.object();
        o.put("ID", s.getId());
        ServiceJson.meta(o, s.getMeta());
        ObjectNode spec = o.putObject("Spec");
        spec.put("Name", s.getSpec().getAnnotations().getName());
        spec.set("Labels", Json.map(s.getSpec().getAnnotations().getLabelsMap()));
        return o;
    }

    public static ObjectNode write(Config c) {
        ObjectNode o = Json.object();
        o.put("ID", c.getId());
        ServiceJson.meta(o, c.getMeta());
        ObjectNode spec = o.putObject("Spec");
        spec.put("Name", c.getSpec().getAnnotations().getName());
        spec.set("Labels", Json.map(c.getSpec().getAnnotations().getLabelsMap()));
        spec.put("Data", Base64.getEncoder().encodeToString(c.getSpec().getData().toByteArray()));
        return o;
    }

    /** {@code POST /secrets/create}: Name, Labels, Data (base64); drivers and templating are refused. */
    public static SecretSpec readSecret(JsonNode body) {
        JsonReader r = JsonReader.of(body, "SecretSpec");
        SecretSpec s = SecretSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(r.string("Name")).putAllLabels(r.map("Labels")))
                .setData(data(r)).build();
        r.done();
        return s;
    }

    /** {@code POST /configs/create}, as a secret's. */
    public static ConfigSpec readConfig(JsonNode body) {
        JsonReader r = JsonReader.of(body, "ConfigSpec");
        ConfigSpec s = ConfigSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(r.string("Name")).putAllLabels(r.map("Labels")))
                .setData(data(r)).build();
        r.done();
        return s;
    }

    private static ByteString data(JsonReader r) {
        try {
            return ByteString.copyFrom(Base64.getDecoder().decode(r.string("Data")));
        } catch (IllegalArgumentException e) {
            throw new InvalidSpec(r.path("Data") + ": not base64");
        }
    }
}
