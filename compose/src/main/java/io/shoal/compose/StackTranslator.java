package io.shoal.compose;

import com.google.protobuf.ByteString;
import io.shoal.api.ConfigSpec;
import io.shoal.api.IPAMConfig;
import io.shoal.api.NetworkSpec;
import io.shoal.api.SecretSpec;
import io.shoal.api.ServiceSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static io.shoal.compose.Canon.flag;
import static io.shoal.compose.Canon.list;
import static io.shoal.compose.Canon.map;
import static io.shoal.compose.Canon.str;

/**
 * A {@link Project} into a {@link StackPlan}, with Docker's semantics: networks are made only when a
 * service uses them (a service that names none joins {@code STACK_default}), every secret and config
 * the files declare is made (external ones are only checked for), and every reference to a network,
 * volume, secret or config the files do not declare is an error. Nothing is half-made: the plan is
 * complete or this throws.
 */
public final class StackTranslator {
    private StackTranslator() {}

    public static StackPlan plan(Project project, String stack) {
        Namespace ns = new Namespace(stack);
        Map<String, Object> networksDecl = project.section("networks");
        Map<String, Object> volumesDecl = project.section("volumes");
        Map<String, Object> secretsDecl = project.section("secrets");
        Map<String, Object> configsDecl = project.section("configs");
        ServiceTranslator.Refs refs = new ServiceTranslator.Refs(ns,
                n -> networksDecl.containsKey(n) ? objectName(ns, n, networksDecl) : n.equals("default") ? ns.scope(n) : null,
                n -> volumesDecl.containsKey(n) ? objectName(ns, n, volumesDecl) : null,
                n -> secretsDecl.containsKey(n) ? objectName(ns, n, secretsDecl) : null,
                n -> configsDecl.containsKey(n) ? objectName(ns, n, configsDecl) : null,
                project.environment());
        List<ServiceSpec> services = new ArrayList<>();
        TreeSet<String> usedNetworks = new TreeSet<>();
        TreeSet<String> usedSecrets = new TreeSet<>();
        TreeSet<String> usedConfigs = new TreeSet<>();
        for (Map.Entry<String, Object> e : new TreeMap<>(project.services()).entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> svc = (Map<String, Object>) e.getValue();
            services.add(ServiceTranslator.translate(e.getKey(), svc, project.at("services", e.getKey()), refs));
            Map<String, Object> nets = map(svc, "networks");
            usedNetworks.addAll(nets.isEmpty() ? List.of("default") : nets.keySet());
            Canon.<Map<String, Object>>list(svc, "secrets").forEach(r -> usedSecrets.add(str(r, "source")));
            Canon.<Map<String, Object>>list(svc, "configs").forEach(r -> usedConfigs.add(str(r, "source")));
        }
        List<NetworkSpec> networks = new ArrayList<>();
        List<String> externalNetworks = new ArrayList<>();
        for (String n : usedNetworks) {
            Map<String, Object> decl = map(networksDecl, n);
            if (flag(decl, "external")) {
                externalNetworks.add(objectName(ns, n, networksDecl));
            } else {
                networks.add(network(ns, n, decl, networksDecl));
            }
        }
        List<SecretSpec> secrets = new ArrayList<>();
        List<ConfigSpec> configs = new ArrayList<>();
        for (Map.Entry<String, Object> e : new TreeMap<>(secretsDecl).entrySet()) {
            Map<String, Object> decl = map(secretsDecl, e.getKey());
            if (!flag(decl, "external")) {
                SecretSpec.Builder b = SecretSpec.newBuilder().setData(data(project, "secrets", e.getKey(), decl));
                b.getAnnotationsBuilder().setName(objectName(ns, e.getKey(), secretsDecl)).putAllLabels(ns.labels(Canon.strings(decl, "labels")));
                secrets.add(b.build());
            }
        }
        for (Map.Entry<String, Object> e : new TreeMap<>(configsDecl).entrySet()) {
            Map<String, Object> decl = map(configsDecl, e.getKey());
            if (!flag(decl, "external")) {
                ConfigSpec.Builder b = ConfigSpec.newBuilder().setData(data(project, "configs", e.getKey(), decl));
                b.getAnnotationsBuilder().setName(objectName(ns, e.getKey(), configsDecl)).putAllLabels(ns.labels(Canon.strings(decl, "labels")));
                configs.add(b.build());
            }
        }
        return new StackPlan(ns, networks, externalNetworks, secrets, externals(ns, usedSecrets, secretsDecl),
                configs, externals(ns, usedConfigs, configsDecl), services);
    }

    /** A declared object's name in the cluster: its {@code name}, the name itself when external, else STACK_NAME. */
    private static String objectName(Namespace ns, String n, Map<String, Object> decl) {
        Map<String, Object> d = map(decl, n);
        if (d.containsKey("name")) {
            return str(d, "name");
        }
        return flag(d, "external") ? n : ns.scope(n);
    }

    private static List<String> externals(Namespace ns, TreeSet<String> used, Map<String, Object> decl) {
        return used.stream().filter(n -> flag(map(decl, n), "external")).map(n -> objectName(ns, n, decl)).toList();
    }

    private static NetworkSpec network(Namespace ns, String n, Map<String, Object> decl, Map<String, Object> all) {
        NetworkSpec.Builder b = NetworkSpec.newBuilder().setDriver("overlay")
                .setAttachable(flag(decl, "attachable")).setInternal(flag(decl, "internal"))
                // as Docker: the encrypted option, whatever its value, turns encryption on
                .setEncrypted(map(decl, "driver_opts").containsKey("encrypted"));
        b.getAnnotationsBuilder().setName(objectName(ns, n, all)).putAllLabels(ns.labels(Canon.strings(decl, "labels")));
        for (Map<String, Object> c : Canon.<Map<String, Object>>list(map(decl, "ipam"), "config")) {
            if (c.containsKey("subnet")) {
                b.addIpam(IPAMConfig.newBuilder().setSubnet(str(c, "subnet")).setGateway(str(c, "gateway")));
            }
        }
        return b.build();
    }

    private static ByteString data(Project project, String section, String name, Map<String, Object> decl) {
        At at = project.at(section, name);
        if (decl.containsKey("content")) {
            return ByteString.copyFrom(str(decl, "content"), StandardCharsets.UTF_8);
        }
        if (decl.containsKey("environment")) {
            String v = project.environment().apply(str(decl, "environment"));
            if (v == null) {
                throw at.key("environment").fail("variable " + str(decl, "environment") + " is not set");
            }
            return ByteString.copyFrom(v, StandardCharsets.UTF_8);
        }
        Path file = Path.of(str(decl, "file"));
        try {
            return ByteString.copyFrom(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw at.key("file").fail("cannot read " + file + ": no such file");
        } catch (IOException e) {
            throw at.key("file").fail("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** What the stack ignores, as Docker prints it before deploying (empty lines left out). */
    public static List<String> notices(Project project) {
        List<String> out = new ArrayList<>();
        if (!project.ignored().isEmpty()) {
            out.add("Ignoring unsupported options: " + String.join(", ", project.ignored()));
        }
        if (!project.deprecated().isEmpty()) {
            Map<String, String> d = new LinkedHashMap<>(project.deprecated());
            List<String> lines = new ArrayList<>();
            d.forEach((k, v) -> lines.add(k + ": " + v));
            out.add("Ignoring deprecated options: " + String.join("; ", lines));
        }
        return out;
    }
}
