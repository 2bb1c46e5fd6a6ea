package io.shoal.compose;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The top-level {@code networks}, {@code volumes}, {@code secrets} and {@code configs} of one file,
 * checked and in canonical form: {@code external} as a boolean (the legacy {@code external.name}
 * becomes {@code name}), a secret's or config's {@code file} as an absolute path.
 */
final class Definitions {
    private static final String NAME = "[a-zA-Z0-9][a-zA-Z0-9_.-]*";

    private Definitions() {}

    static Map<String, Object> networks(Object v, At at) {
        return each(v, at, (name, n, a) -> network(n, a));
    }

    static Map<String, Object> volumes(Object v, At at) {
        return each(v, at, (name, n, a) -> {
            Map<String, Object> m = a.map(n, Keys.VOLUME);
            Map<String, Object> out = external(m, a, "volume");
            copyStrings(m, out, a, "driver", "name");
            copyMaps(m, out, a, "driver_opts", "labels");
            return out;
        });
    }

    static Map<String, Object> files(Object v, At at, String kind, Path workingDir) {
        return each(v, at, (name, n, a) -> {
            Map<String, Object> m = a.map(n, Keys.FILE_OBJECT);
            Map<String, Object> out = external(m, a, kind);
            copyStrings(m, out, a, "name", "environment", "content");
            copyMaps(m, out, a, "labels");
            if (m.get("file") != null) {
                out.put("file", workingDir.resolve(a.key("file").string(m.get("file"))).toAbsolutePath().normalize().toString());
            }
            long sources = List.of("file", "environment", "content").stream().filter(out::containsKey).count();
            boolean ext = Boolean.TRUE.equals(out.get("external"));
            if (!ext && sources != 1) {
                throw a.fail(sources == 0 ? "a " + kind + " needs file, environment, content or external: true"
                        : "a " + kind + " takes only one of file, environment and content");
            }
            if (ext && sources > 0) {
                throw a.fail("an external " + kind + " takes no file, environment or content");
            }
            return out;
        });
    }

    private static Map<String, Object> network(Object n, At a) {
        Map<String, Object> m = a.map(n, Keys.NETWORK);
        Map<String, Object> out = external(m, a, "network");
        copyStrings(m, out, a, "driver", "name");
        copyMaps(m, out, a, "driver_opts", "labels");
        if (out.containsKey("driver") && !out.get("driver").equals("overlay")) {
            throw a.key("driver").fail("driver \"" + out.get("driver") + "\" is not supported: a stack's networks are overlay networks");
        }
        for (String flag : List.of("attachable", "internal")) {
            if (m.get(flag) != null) {
                out.put(flag, a.key(flag).bool(m.get(flag)));
            }
        }
        if (m.get("ipam") != null) {
            At ia = a.key("ipam");
            Map<String, Object> ipam = ia.map(m.get("ipam"), Keys.IPAM);
            Map<String, Object> ipamOut = new LinkedHashMap<>();
            if (ipam.get("driver") != null && !ia.key("driver").string(ipam.get("driver")).equals("default")) {
                throw ia.key("driver").fail("only the default IPAM driver is supported");
            }
            if (ipam.get("config") != null) {
                List<Object> configs = ia.key("config").list(ipam.get("config"));
                List<Object> cfgOut = new ArrayList<>();
                for (int i = 0; i < configs.size(); i++) {
                    At ci = ia.key("config").index(i);
                    Map<String, Object> c = ci.map(configs.get(i), Keys.IPAM_CONFIG);
                    Map<String, Object> co = new LinkedHashMap<>();
                    copyStrings(c, co, ci, "subnet", "gateway", "ip_range");
                    if (co.containsKey("subnet") && !((String) co.get("subnet")).matches("\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+")) {
                        throw ci.key("subnet").fail("invalid subnet \"" + co.get("subnet") + "\" (an IPv4 CIDR, e.g. 10.20.0.0/24)");
                    }
                    cfgOut.add(co);
                }
                ipamOut.put("config", cfgOut);
            }
            out.put("ipam", ipamOut);
        }
        return out;
    }

    /** {@code external: true} or the legacy {@code external: {name: X}}; an external object takes only a name (and labels are refused). */
    private static Map<String, Object> external(Map<String, Object> m, At a, String kind) {
        Map<String, Object> out = new LinkedHashMap<>();
        Object ext = m.get("external");
        if (ext == null) {
            return out;
        }
        boolean isExternal;
        if (ext instanceof Map) {
            Map<String, Object> e = a.key("external").map(ext, Set.of("name"));
            isExternal = true;
            if (e.get("name") != null) {
                out.put("name", a.key("external").key("name").string(e.get("name")));
            }
        } else {
            isExternal = a.key("external").bool(ext);
        }
        if (isExternal) {
            out.put("external", true);
            for (String k : m.keySet()) {
                if (!k.equals("external") && !k.equals("name") && !k.startsWith("x-")) {
                    throw a.fail("conflicting parameters \"external\" and \"" + k + "\" specified for " + kind);
                }
            }
        }
        return out;
    }

    private static void copyStrings(Map<String, Object> m, Map<String, Object> out, At a, String... keys) {
        for (String k : keys) {
            if (m.get(k) != null) {
                out.put(k, a.key(k).string(m.get(k)));
            }
        }
    }

    private static void copyMaps(Map<String, Object> m, Map<String, Object> out, At a, String... keys) {
        for (String k : keys) {
            if (m.get(k) != null) {
                out.put(k, Normalizer.stringMap(m.get(k), a.key(k)));
            }
        }
    }

    @FunctionalInterface
    private interface Reader {
        Map<String, Object> read(String name, Object value, At at);
    }

    private static Map<String, Object> each(Object v, At at, Reader reader) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : at.map(v).entrySet()) {
            if (e.getKey().startsWith("x-")) {
                continue;
            }
            At a = at.key(e.getKey());
            if (!e.getKey().matches(NAME)) {
                throw a.fail("invalid name \"" + e.getKey() + "\" (letters, digits, '_', '.' or '-')");
            }
            out.put(e.getKey(), e.getValue() == null ? new LinkedHashMap<>() : reader.read(e.getKey(), e.getValue(), a));
        }
        return out;
    }
}
