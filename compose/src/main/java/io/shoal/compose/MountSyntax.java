package io.shoal.compose;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A service's {@code volumes} (short {@code [SOURCE:]TARGET[:MODE]} or long syntax) and
 * {@code tmpfs} entries, into the long form: {@code type} (volume, bind or tmpfs), {@code source}
 * (a volume's name as the file declares it, or a bind's absolute path: relative ones are taken from
 * the directory of the first file, {@code ~} from the home directory), {@code target},
 * {@code read_only}, and {@code tmpfs.size} in bytes.
 */
final class MountSyntax {
    private static final Set<String> SHORT_MODES = Set.of("ro", "rw", "z", "Z", "nocopy", "shared", "rshared", "slave",
            "rslave", "private", "rprivate", "cached", "delegated", "consistent");

    private MountSyntax() {}

    static List<Object> volumes(Object v, At at, Path workingDir) {
        List<Object> out = new ArrayList<>();
        List<Object> l = at.list(v);
        for (int i = 0; i < l.size(); i++) {
            At m = at.index(i);
            Object e = l.get(i);
            out.add(e instanceof String s ? shortForm(s, m, workingDir) : longForm(m.map(e, Keys.MOUNT), m, workingDir));
        }
        return out;
    }

    private static Map<String, Object> shortForm(String spec, At at, Path workingDir) {
        String[] parts = spec.split(":", -1);
        if (parts.length > 3 || spec.isBlank()) {
            throw at.fail("invalid volume \"" + spec + "\" (use [SOURCE:]TARGET[:ro])");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        String source = parts.length > 1 ? parts[0] : "";
        String target = parts.length > 1 ? parts[1] : parts[0];
        boolean readOnly = false;
        if (parts.length == 3) {
            for (String mode : parts[2].split(",")) {
                if (!SHORT_MODES.contains(mode)) {
                    throw at.fail("invalid volume \"" + spec + "\": unknown mode \"" + mode + "\"");
                }
                readOnly |= mode.equals("ro");
            }
        }
        boolean bind = source.startsWith("/") || source.startsWith(".") || source.startsWith("~");
        out.put("type", source.isEmpty() ? "volume" : bind ? "bind" : "volume");
        if (!source.isEmpty()) {
            out.put("source", bind ? absolute(source, workingDir) : source);
        }
        out.put("target", target(target, at));
        if (readOnly) {
            out.put("read_only", true);
        }
        return out;
    }

    private static Map<String, Object> longForm(Map<String, Object> m, At at, Path workingDir) {
        String type = at.key("type").oneOf(m.getOrDefault("type", "volume"), "volume", "bind", "tmpfs");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", type);
        if (m.get("source") != null) {
            String source = at.key("source").string(m.get("source"));
            if (type.equals("tmpfs")) {
                throw at.key("source").fail("a tmpfs mount takes no source");
            }
            out.put("source", type.equals("bind") ? absolute(source, workingDir) : source);
        } else if (type.equals("bind")) {
            throw at.fail("a bind mount needs a source");
        }
        if (m.get("target") == null) {
            throw at.fail("target is required");
        }
        out.put("target", target(at.key("target").string(m.get("target")), at.key("target")));
        if (m.containsKey("read_only") && at.key("read_only").bool(m.get("read_only"))) {
            out.put("read_only", true);
        }
        for (String sub : List.of("bind", "volume")) {
            if (m.containsKey(sub)) {
                at.key(sub).map(m.get(sub), sub.equals("bind") ? Set.of("propagation", "create_host_path", "selinux")
                        : Set.of("nocopy", "subpath"));
            }
        }
        if (m.containsKey("tmpfs")) {
            Map<String, Object> t = at.key("tmpfs").map(m.get("tmpfs"), Set.of("size", "mode"));
            if (!type.equals("tmpfs")) {
                throw at.key("tmpfs").fail("only for type tmpfs");
            }
            if (t.containsKey("size")) {
                out.put("tmpfs", Map.of("size", size(t.get("size"), at.key("tmpfs").key("size"))));
            }
        }
        return out;
    }

    /** The service-level {@code tmpfs} key: paths (with options after a colon), as tmpfs mounts. */
    static List<Object> tmpfs(Object v, At at) {
        List<Object> out = new ArrayList<>();
        List<String> l = at.strings(v, true);
        for (int i = 0; i < l.size(); i++) {
            String[] p = l.get(i).split(":", 2);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "tmpfs");
            m.put("target", target(p[0], at.index(i)));
            if (p.length == 2) {
                for (String opt : p[1].split(",")) {
                    if (opt.startsWith("size=")) {
                        m.put("tmpfs", Map.of("size", size(opt.substring(5), at.index(i))));
                    }
                }
            }
            out.add(m);
        }
        return out;
    }

    private static long size(Object v, At at) {
        if (v instanceof Long n) {
            return n;
        }
        try {
            return Units.bytes(at.string(v));
        } catch (IllegalArgumentException e) {
            throw at.fail(e.getMessage());
        }
    }

    private static String target(String t, At at) {
        if (!t.startsWith("/")) {
            throw at.fail("target \"" + t + "\" must be an absolute path in the container");
        }
        return t;
    }

    private static String absolute(String source, Path workingDir) {
        if (source.equals("~") || source.startsWith("~/")) {
            return Path.of(System.getProperty("user.home")).resolve(source.substring(Math.min(2, source.length())))
                    .normalize().toString();
        }
        return workingDir.resolve(source).toAbsolutePath().normalize().toString();
    }
}
