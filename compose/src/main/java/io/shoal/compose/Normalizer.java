package io.shoal.compose;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Checks one interpolated compose file and writes it in canonical form: every key known (or an
 * {@code x-} extension, dropped), every value of the right type, short syntaxes in their long form,
 * {@code env_file} read into {@code environment}. Keys a stack ignores are noted (Docker's
 * "Ignoring unsupported options"), keys Docker refuses in a stack are refused. The first problem
 * found is thrown as a {@link ComposeException} naming the file and the path.
 */
final class Normalizer {
    private static final String SERVICE_NAME = "[a-zA-Z0-9][a-zA-Z0-9_.-]*";

    private final Path workingDir;
    private final Function<String, String> environment;
    private final Function<Path, String> readFile;
    private final Set<String> ignored = new TreeSet<>();
    private final Map<String, String> deprecated = new TreeMap<>();
    private final DeployReader deploy = new DeployReader(ignored);

    /**
     * @param workingDir  where relative paths (env_file, bind sources, secret files) start: the first file's directory
     * @param environment the variables {@code env_file} lines without a value take theirs from
     * @param readFile    reads an env_file; throws IllegalArgumentException with the reason
     */
    Normalizer(Path workingDir, Function<String, String> environment, Function<Path, String> readFile) {
        this.workingDir = workingDir;
        this.environment = environment;
        this.readFile = readFile;
    }

    Set<String> ignored() {
        return ignored;
    }

    Map<String, String> deprecated() {
        return deprecated;
    }

    Map<String, Object> file(Map<String, Object> raw, At root) {
        Map<String, Object> top = root.map(raw, Keys.TOP);
        Map<String, Object> out = new LinkedHashMap<>();
        if (top.get("version") != null) {
            root.key("version").scalar(top.get("version"));
        }
        Map<String, Object> services = new LinkedHashMap<>();
        if (top.get("services") != null) {
            for (Map.Entry<String, Object> e : root.key("services").map(top.get("services")).entrySet()) {
                if (e.getKey().startsWith("x-")) {
                    continue;
                }
                At at = root.key("services").key(e.getKey());
                if (!e.getKey().matches(SERVICE_NAME)) {
                    throw at.fail("invalid service name \"" + e.getKey() + "\" (letters, digits, '_', '.' or '-')");
                }
                services.put(e.getKey(), service(e.getValue() == null ? Map.of() : e.getValue(), at));
            }
        }
        out.put("services", services);
        if (top.get("networks") != null) {
            out.put("networks", Definitions.networks(top.get("networks"), root.key("networks")));
        }
        if (top.get("volumes") != null) {
            out.put("volumes", Definitions.volumes(top.get("volumes"), root.key("volumes")));
        }
        if (top.get("secrets") != null) {
            out.put("secrets", Definitions.files(top.get("secrets"), root.key("secrets"), "secret", workingDir));
        }
        if (top.get("configs") != null) {
            out.put("configs", Definitions.files(top.get("configs"), root.key("configs"), "config", workingDir));
        }
        return out;
    }

    private Map<String, Object> service(Object v, At at) {
        Map<String, Object> raw = at.map(v);
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> fromFiles = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            String k = e.getKey();
            At ka = at.key(k);
            Object val = e.getValue();
            if (k.startsWith("x-")) {
                continue;
            }
            if (Keys.FORBIDDEN.containsKey(k)) {
                throw ka.fail("unsupported option \"" + k + "\" (" + Keys.FORBIDDEN.get(k) + ")");
            }
            if (Keys.UNSUPPORTED.contains(k) || Keys.IGNORED.contains(k)) {
                ignored.add(k);
                if (k.equals("restart") && val != null) {
                    // as Docker: the restart policy when deploy.restart_policy gives none
                    out.put("restart", ka.oneOf(val, "no", "always", "on-failure", "unless-stopped"));
                }
                continue;
            }
            if (Keys.DEPRECATED.containsKey(k)) {
                deprecated.put(k, Keys.DEPRECATED.get(k));
                continue;
            }
            if (!Keys.SERVICE.contains(k)) {
                throw ka.fail("unknown key (not a service key of the compose specification)");
            }
            if (val == null) {
                continue;
            }
            switch (k) {
                case "image" -> {
                    String image = ka.string(val);
                    if (image.isBlank()) {
                        throw ka.fail("must not be empty");
                    }
                    out.put(k, image);
                }
                case "command", "entrypoint" -> out.put(k, command(val, ka));
                case "environment" -> out.put(k, environment(val, ka));
                case "env_file" -> envFiles(val, ka).forEach(fromFiles::put);
                case "labels", "sysctls" -> out.put(k, stringMap(val, ka));
                case "user", "working_dir", "hostname", "stop_signal" -> out.put(k, ka.scalar(val));
                case "stop_grace_period" -> out.put(k, ka.duration(val));
                case "healthcheck" -> out.put(k, health(val, ka));
                case "ports" -> out.put(k, PortSyntax.read(val, ka));
                case "networks" -> out.put(k, networks(val, ka));
                case "volumes" -> out.put(k, MountSyntax.volumes(val, ka, workingDir));
                case "tmpfs" -> out.put(k, MountSyntax.tmpfs(val, ka));
                case "secrets", "configs" -> out.put(k, fileRefs(val, ka));
                case "read_only", "init" -> out.put(k, ka.bool(val));
                case "cap_add", "cap_drop", "dns", "dns_search" -> out.put(k, ka.strings(val, !k.startsWith("cap")));
                case "ulimits" -> out.put(k, ulimits(val, ka));
                case "extra_hosts" -> out.put(k, extraHosts(val, ka));
                default -> out.put(k, deploy.read(val, ka));
            }
        }
        if (!fromFiles.isEmpty()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> env = (Map<String, Object>) out.getOrDefault("environment", Map.of());
            fromFiles.putAll(env);
            out.put("environment", fromFiles);
        }
        return out;
    }

    private static List<String> command(Object v, At at) {
        if (v instanceof String s) {
            try {
                return ShellWords.split(s);
            } catch (IllegalArgumentException e) {
                throw at.fail(e.getMessage());
            }
        }
        return at.strings(v, false);
    }

    /** {@code KEY: value} or {@code - KEY=value}; a key without a value (null) is taken from the environment at deploy. */
    private static Map<String, Object> environment(Object v, At at) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (v instanceof List<?>) {
            List<String> l = at.strings(v, false);
            for (String e : l) {
                int eq = e.indexOf('=');
                out.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? null : e.substring(eq + 1));
            }
            return out;
        }
        for (Map.Entry<String, Object> e : at.map(v).entrySet()) {
            out.put(e.getKey(), e.getValue() == null ? null : at.key(e.getKey()).scalar(e.getValue()));
        }
        return out;
    }

    private Map<String, String> envFiles(Object v, At at) {
        Map<String, String> out = new LinkedHashMap<>();
        List<Object> files = v instanceof String ? List.of(v) : at.list(v);
        for (int i = 0; i < files.size(); i++) {
            At fa = v instanceof String ? at : at.index(i);
            Object f = files.get(i);
            String path;
            boolean required = true;
            if (f instanceof Map) {
                Map<String, Object> m = fa.map(f, Set.of("path", "required", "format"));
                path = fa.key("path").string(m.get("path"));
                required = !m.containsKey("required") || fa.key("required").bool(m.get("required"));
            } else {
                path = fa.string(f);
            }
            Path p = workingDir.resolve(path);
            String text;
            try {
                text = readFile.apply(p);
            } catch (IllegalArgumentException e) {
                if (!required) {
                    continue;
                }
                throw fa.fail("cannot read env file " + p + ": " + e.getMessage());
            }
            out.putAll(EnvFile.parse(p.toString(), text, environment));
        }
        return out;
    }

    /** A mapping of strings, or a list of {@code KEY=value} (a bare {@code KEY} has the empty value). */
    static Map<String, Object> stringMap(Object v, At at) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (v instanceof List<?>) {
            for (String e : at.strings(v, false)) {
                int eq = e.indexOf('=');
                out.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
            }
            return out;
        }
        for (Map.Entry<String, Object> e : at.map(v).entrySet()) {
            out.put(e.getKey(), e.getValue() == null ? "" : at.key(e.getKey()).scalar(e.getValue()));
        }
        return out;
    }

    private static Map<String, Object> health(Object v, At at) {
        Map<String, Object> h = at.map(v, Keys.HEALTHCHECK);
        Map<String, Object> out = new LinkedHashMap<>();
        if (h.get("test") != null) {
            Object t = h.get("test");
            List<String> test;
            if (t instanceof String s) {
                test = s.isBlank() ? List.of() : List.of("CMD-SHELL", s);
            } else {
                test = at.key("test").strings(t, false);
                if (!test.isEmpty() && !Set.of("NONE", "CMD", "CMD-SHELL").contains(test.get(0))) {
                    throw at.key("test").fail("a list must start with CMD, CMD-SHELL or NONE, not \"" + test.get(0) + "\"");
                }
                if (!test.isEmpty() && !test.get(0).equals("NONE") && test.size() < 2) {
                    throw at.key("test").fail(test.get(0) + " needs a command");
                }
            }
            out.put("test", test);
        }
        for (String d : List.of("interval", "timeout", "start_period", "start_interval")) {
            if (h.get(d) != null) {
                out.put(d, at.key(d).duration(h.get(d)));
            }
        }
        if (h.get("retries") != null) {
            out.put("retries", at.key("retries").nonNegative(h.get("retries")));
        }
        if (h.get("disable") != null && at.key("disable").bool(h.get("disable"))) {
            if (out.get("test") instanceof List<?> l && !l.isEmpty() && !l.get(0).equals("NONE")) {
                throw at.fail("test and disable cannot be set at the same time");
            }
            out.put("disable", true);
        }
        return out;
    }

    /** A list of network names, or a mapping of names to null or {aliases: [...]}. */
    private static Map<String, Object> networks(Object v, At at) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (v instanceof List<?>) {
            at.strings(v, false).forEach(n -> out.put(n, null));
            return out;
        }
        for (Map.Entry<String, Object> e : at.map(v).entrySet()) {
            if (e.getValue() == null) {
                out.put(e.getKey(), null);
                continue;
            }
            At na = at.key(e.getKey());
            Map<String, Object> n = na.map(e.getValue(), Keys.SERVICE_NETWORK);
            Map<String, Object> cfg = new LinkedHashMap<>();
            if (n.get("aliases") != null) {
                cfg.put("aliases", na.key("aliases").strings(n.get("aliases"), false));
            }
            out.put(e.getKey(), cfg.isEmpty() ? null : cfg);
        }
        return out;
    }

    /** Secrets or configs: a name, or {source, target, uid, gid, mode}. */
    private static List<Object> fileRefs(Object v, At at) {
        List<Object> out = new ArrayList<>();
        List<Object> l = at.list(v);
        for (int i = 0; i < l.size(); i++) {
            At ra = at.index(i);
            Object e = l.get(i);
            if (e instanceof String s) {
                out.add(new LinkedHashMap<>(Map.of("source", s)));
                continue;
            }
            Map<String, Object> m = ra.map(e, Keys.FILE_REF);
            if (m.get("source") == null) {
                throw ra.fail("source is required");
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("source", ra.key("source").string(m.get("source")));
            if (m.get("target") != null) {
                r.put("target", ra.key("target").string(m.get("target")));
            }
            for (String id : List.of("uid", "gid")) {
                if (m.get(id) != null) {
                    String s = ra.key(id).scalar(m.get(id));
                    if (!s.matches("\\d+")) {
                        throw ra.key(id).fail("must be a number, not \"" + s + "\"");
                    }
                    r.put(id, s);
                }
            }
            if (m.get("mode") != null) {
                long mode = ra.key("mode").integer(m.get("mode"));
                if (mode < 0 || mode > 0777) {
                    throw ra.key("mode").fail("file mode 0" + Long.toOctalString(mode) + " is out of range (0000-0777, octal)");
                }
                r.put("mode", mode);
            }
            out.add(r);
        }
        return out;
    }

    private static Map<String, Object> ulimits(Object v, At at) {
        Map<String, Object> out = new TreeMap<>();
        for (Map.Entry<String, Object> e : at.map(v).entrySet()) {
            At ua = at.key(e.getKey());
            if (!e.getKey().matches("[a-z]+")) {
                throw ua.fail("unknown ulimit \"" + e.getKey() + "\"");
            }
            long soft;
            long hard;
            if (e.getValue() instanceof Map) {
                Map<String, Object> m = ua.map(e.getValue(), Set.of("soft", "hard"));
                if (m.get("soft") == null || m.get("hard") == null) {
                    throw ua.fail("needs both soft and hard");
                }
                soft = ua.key("soft").integer(m.get("soft"));
                hard = ua.key("hard").integer(m.get("hard"));
                if (soft > hard && hard >= 0) {
                    throw ua.fail("soft limit " + soft + " is above the hard limit " + hard);
                }
            } else {
                soft = hard = ua.integer(e.getValue());
            }
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("soft", soft);
            l.put("hard", hard);
            out.put(e.getKey(), l);
        }
        return out;
    }

    /** {@code host:ip} (or {@code host=ip}) entries, or a mapping of host to address; written as {@code host:ip}. */
    private static List<Object> extraHosts(Object v, At at) {
        List<Object> out = new ArrayList<>();
        if (v instanceof Map) {
            at.map(v).forEach((h, ip) -> out.add(h + ":" + at.key(h).scalar(ip)));
        } else {
            List<String> l = at.strings(v, false);
            for (int i = 0; i < l.size(); i++) {
                String e = l.get(i);
                int sep = e.indexOf('=') >= 0 ? e.indexOf('=') : e.indexOf(':');
                if (sep <= 0 || sep == e.length() - 1) {
                    throw at.index(i).fail("invalid extra host \"" + e + "\" (use HOST:IP)");
                }
                out.add(e.substring(0, sep) + ":" + e.substring(sep + 1));
            }
        }
        return out;
    }
}
