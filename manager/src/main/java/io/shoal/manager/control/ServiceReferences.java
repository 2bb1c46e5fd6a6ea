package io.shoal.manager.control;

import io.grpc.StatusRuntimeException;
import io.shoal.api.ConfigReference;
import io.shoal.api.ContainerSpec;
import io.shoal.api.SecretReference;
import io.shoal.api.ServiceSpec;
import io.shoal.api.raft.StoreObject;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;

import java.util.HashMap;
import java.util.Map;

/**
 * The secrets and configs a service spec names, resolved in the view its write is decided on: a
 * client names each by name, id or unique id prefix, and the stored reference carries the object's
 * id and name, with docker's defaults filled in (target: the name; uid and gid "0"; mode 0444). A
 * secret's relative target is a file under {@code /run/secrets}, a config's under {@code /}; no two
 * references may land on the same path in the container.
 */
final class ServiceReferences {
    static final String SECRETS_DIR = "/run/secrets/";
    static final int DEFAULT_MODE = 0444;

    private ServiceReferences() {}

    static ServiceSpec resolve(ReadTx tx, ServiceSpec spec) {
        ContainerSpec c = spec.getTask().getContainer();
        if (c.getSecretsCount() == 0 && c.getConfigsCount() == 0) {
            return spec;
        }
        ServiceSpec.Builder b = spec.toBuilder();
        ContainerSpec.Builder cb = b.getTaskBuilder().getContainerBuilder();
        Map<String, String> paths = new HashMap<>();
        for (int i = 0; i < cb.getSecretsCount(); i++) {
            SecretReference r = cb.getSecrets(i);
            var o = find(tx, ObjectKind.SECRET, r.getSecretId(), r.getSecretName());
            String name = StoreObjects.name(o);
            SecretReference.Builder rb = r.toBuilder().setSecretId(StoreObjects.id(o)).setSecretName(name)
                    .setTarget(r.getTarget().isEmpty() ? name : r.getTarget())
                    .setUid(owner(r.getUid(), "uid", "secret", name)).setGid(owner(r.getGid(), "gid", "secret", name))
                    .setMode(mode(r.hasMode() ? r.getMode() : DEFAULT_MODE, "secret", name));
            claim(paths, path(SECRETS_DIR, rb.getTarget(), "secret", name), "secret " + name);
            cb.setSecrets(i, rb);
        }
        for (int i = 0; i < cb.getConfigsCount(); i++) {
            ConfigReference r = cb.getConfigs(i);
            var o = find(tx, ObjectKind.CONFIG, r.getConfigId(), r.getConfigName());
            String name = StoreObjects.name(o);
            ConfigReference.Builder rb = r.toBuilder().setConfigId(StoreObjects.id(o)).setConfigName(name)
                    .setTarget(r.getTarget().isEmpty() ? "/" + name : r.getTarget())
                    .setUid(owner(r.getUid(), "uid", "config", name)).setGid(owner(r.getGid(), "gid", "config", name))
                    .setMode(mode(r.hasMode() ? r.getMode() : DEFAULT_MODE, "config", name));
            claim(paths, path("/", rb.getTarget(), "config", name), "config " + name);
            cb.setConfigs(i, rb);
        }
        return b.build();
    }

    /** The object a reference names: by its id if it has one, else by its name (either may be a prefix of an id). */
    private static StoreObject find(ReadTx tx, ObjectKind kind, String id, String name) {
        String ref = !id.isEmpty() ? id : name;
        if (ref.isEmpty()) {
            throw Calls.invalid(kind.word() + ": a reference names no " + kind.word());
        }
        try {
            return ObjectLookup.resolve(tx, kind, ref);
        } catch (StatusRuntimeException e) {
            throw Calls.invalid(kind.word() + " not found: " + ref);
        }
    }

    /** Where a target lands in the container; refuses empty ones and ".." steps. */
    static String path(String dir, String target, String kind, String name) {
        String p = target.startsWith("/") ? target : dir + target;
        for (String step : p.split("/")) {
            if (step.equals("..") || step.equals(".")) {
                throw Calls.invalid(kind + " " + name + ": target '" + target + "' must not have '.' or '..' in it");
            }
        }
        if (p.endsWith("/") || p.contains("//") || p.indexOf('\0') >= 0) {
            throw Calls.invalid(kind + " " + name + ": target '" + target + "' is not a file path");
        }
        return p;
    }

    private static void claim(Map<String, String> paths, String path, String who) {
        String before = paths.putIfAbsent(path, who);
        if (before != null) {
            throw Calls.invalid(before + " and " + who + " have a conflicting target: " + path);
        }
    }

    private static String owner(String v, String what, String kind, String name) {
        if (v.isEmpty()) {
            return "0";
        }
        if (!v.matches("\\d{1,10}") || Long.parseLong(v) > 0xFFFFFFFEL) {
            throw Calls.invalid(kind + " " + name + ": " + what + " '" + v + "' must be a number");
        }
        return v;
    }

    private static int mode(int m, String kind, String name) {
        if (m < 0 || m > 0777) {
            throw Calls.invalid(kind + " " + name + ": mode " + Integer.toOctalString(m) + " must be in 0000-0777 (octal)");
        }
        return m;
    }
}
