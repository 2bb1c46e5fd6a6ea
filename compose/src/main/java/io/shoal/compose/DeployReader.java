package io.shoal.compose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A service's {@code deploy} section: every key checked (an unknown key is an error, as in Docker's
 * schema), durations, sizes and CPU counts validated, and written back in canonical form (memory in
 * bytes, durations as given).
 */
final class DeployReader {
    private final Set<String> ignored;

    DeployReader(Set<String> ignored) {
        this.ignored = ignored;
    }

    Map<String, Object> read(Object v, At at) {
        Map<String, Object> d = at.map(v, Keys.DEPLOY);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : d.entrySet()) {
            At k = at.key(e.getKey());
            Object val = e.getValue();
            if (val == null) {
                continue;
            }
            out.put(e.getKey(), switch (e.getKey()) {
                case "mode" -> k.oneOf(val, "replicated", "global", "replicated-job", "global-job");
                case "replicas" -> k.nonNegative(val);
                case "labels" -> Normalizer.stringMap(val, k);
                case "placement" -> placement(val, k);
                case "resources" -> resources(val, k);
                case "restart_policy" -> restartPolicy(val, k);
                case "update_config", "rollback_config" -> updateConfig(val, k);
                default -> k.oneOf(val, "vip", "dnsrr");
            });
        }
        return out;
    }

    private static Map<String, Object> placement(Object v, At at) {
        Map<String, Object> p = at.map(v, Keys.PLACEMENT);
        Map<String, Object> out = new LinkedHashMap<>();
        if (p.get("constraints") != null) {
            out.put("constraints", at.key("constraints").strings(p.get("constraints"), false));
        }
        if (p.get("preferences") != null) {
            List<Object> prefs = new ArrayList<>();
            List<Object> l = at.key("preferences").list(p.get("preferences"));
            for (int i = 0; i < l.size(); i++) {
                At pi = at.key("preferences").index(i);
                Map<String, Object> pref = pi.map(l.get(i), Set.of("spread"));
                if (!pref.containsKey("spread")) {
                    throw pi.fail("spread is required (spread: node.labels.KEY)");
                }
                prefs.add(Map.of("spread", pi.key("spread").string(pref.get("spread"))));
            }
            out.put("preferences", prefs);
        }
        if (p.get("max_replicas_per_node") != null) {
            out.put("max_replicas_per_node", at.key("max_replicas_per_node").nonNegative(p.get("max_replicas_per_node")));
        }
        return out;
    }

    private Map<String, Object> resources(Object v, At at) {
        Map<String, Object> r = at.map(v, Keys.RESOURCES);
        Map<String, Object> out = new LinkedHashMap<>();
        for (String which : List.of("limits", "reservations")) {
            if (r.get(which) == null) {
                continue;
            }
            At w = at.key(which);
            Map<String, Object> m = w.map(r.get(which), which.equals("limits") ? Keys.LIMITS : Keys.RESERVATIONS);
            Map<String, Object> res = new LinkedHashMap<>();
            if (m.get("cpus") != null) {
                String cpus = w.key("cpus").scalar(m.get("cpus"));
                try {
                    Units.nanoCpus(cpus);
                } catch (IllegalArgumentException e) {
                    throw w.key("cpus").fail(e.getMessage());
                }
                res.put("cpus", cpus);
            }
            if (m.get("memory") != null) {
                res.put("memory", bytes(m.get("memory"), w.key("memory")));
            }
            if (m.get("pids") != null) {
                res.put("pids", w.key("pids").nonNegative(m.get("pids")));
            }
            for (String unsupported : List.of("generic_resources", "devices")) {
                if (m.containsKey(unsupported)) {
                    ignored.add("deploy.resources.reservations." + unsupported);
                }
            }
            out.put(which, res);
        }
        return out;
    }

    private static Map<String, Object> restartPolicy(Object v, At at) {
        Map<String, Object> r = at.map(v, Keys.RESTART_POLICY);
        Map<String, Object> out = new LinkedHashMap<>();
        if (r.get("condition") != null) {
            out.put("condition", at.key("condition").oneOf(r.get("condition"), "none", "on-failure", "any"));
        }
        if (r.get("delay") != null) {
            out.put("delay", at.key("delay").duration(r.get("delay")));
        }
        if (r.get("max_attempts") != null) {
            out.put("max_attempts", at.key("max_attempts").nonNegative(r.get("max_attempts")));
        }
        if (r.get("window") != null) {
            out.put("window", at.key("window").duration(r.get("window")));
        }
        return out;
    }

    private static Map<String, Object> updateConfig(Object v, At at) {
        Map<String, Object> u = at.map(v, Keys.UPDATE_CONFIG);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : u.entrySet()) {
            At k = at.key(e.getKey());
            Object val = e.getValue();
            if (val == null) {
                continue;
            }
            out.put(e.getKey(), switch (e.getKey()) {
                case "parallelism" -> k.nonNegative(val);
                case "delay", "monitor" -> k.duration(val);
                case "failure_action" -> k.oneOf(val, "continue", "rollback", "pause");
                case "max_failure_ratio" -> {
                    double r = k.number(val);
                    if (r < 0 || r > 1) {
                        throw k.fail("must be between 0 and 1, not " + r);
                    }
                    yield r;
                }
                default -> k.oneOf(val, "stop-first", "start-first");
            });
        }
        return out;
    }

    static long bytes(Object v, At at) {
        if (v instanceof Long n) {
            return n;
        }
        try {
            return Units.bytes(at.string(v));
        } catch (IllegalArgumentException e) {
            throw at.fail(e.getMessage());
        }
    }
}
