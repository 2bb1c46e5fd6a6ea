package io.shoal.compose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service's {@code ports}, short ({@code "8080:80"}, {@code "9000-9001:90-91/udp"},
 * {@code "127.0.0.1:53:53/udp"}, {@code 80}) or long ({@code target}, {@code published},
 * {@code protocol}, {@code mode}), into the long form: one mapping per port with {@code mode}
 * (ingress by default), {@code target}, {@code published} (absent: the cluster picks one) and
 * {@code protocol}.
 */
final class PortSyntax {
    private static final Pattern SHORT = Pattern.compile(
            "(?:(?<ip>\\[[0-9a-fA-F:.]+]|[0-9.]+):)??(?:(?<pub>[^:]*):)?(?<target>[^:/]+)(?:/(?<proto>[^/]+))?");

    private PortSyntax() {}

    static List<Object> read(Object v, At at) {
        List<Object> out = new ArrayList<>();
        List<Object> l = at.list(v);
        for (int i = 0; i < l.size(); i++) {
            At p = at.index(i);
            Object e = l.get(i);
            if (e instanceof Map) {
                out.add(longForm(p.map(e, Keys.PORT), p));
            } else if (e instanceof Long || e instanceof String) {
                out.addAll(shortForm(String.valueOf(e), p));
            } else {
                throw p.fail("must be a port (\"8080:80\") or a mapping with target, published, protocol and mode, not "
                        + At.describe(e));
            }
        }
        return out;
    }

    private static Map<String, Object> longForm(Map<String, Object> m, At at) {
        if (!m.containsKey("target")) {
            throw at.fail("target is required");
        }
        long target = port(m.get("target"), at.key("target"));
        Map<String, Object> out = port(target, 0, protocol(m.getOrDefault("protocol", "tcp"), at.key("protocol")));
        if (m.get("published") != null) {
            Object pub = m.get("published");
            out.put("published", pub instanceof String s && s.contains("-") ? rangeStart(s, at.key("published"))
                    : port(pub, at.key("published")));
        }
        if (m.containsKey("mode")) {
            out.put("mode", at.key("mode").oneOf(m.get("mode"), "ingress", "host"));
        }
        return reorder(out);
    }

    private static long rangeStart(String s, At at) {
        String[] r = s.split("-", 2);
        long from = port(r[0], at);
        if (port(r[1], at) != from) {
            throw at.fail("a range of published ports (\"" + s + "\") needs the short syntax");
        }
        return from;
    }

    private static List<Map<String, Object>> shortForm(String s, At at) {
        Matcher m = SHORT.matcher(s.trim());
        if (!m.matches()) {
            throw at.fail("invalid port \"" + s + "\" (use [IP:][PUBLISHED:]TARGET[/PROTOCOL])");
        }
        String proto = m.group("proto") == null ? "tcp" : m.group("proto");
        long[] target = range(m.group("target"), s, at);
        long[] pub = m.group("pub") == null || m.group("pub").isEmpty() ? null : range(m.group("pub"), s, at);
        if (pub != null && pub[1] - pub[0] != target[1] - target[0]) {
            throw at.fail("invalid port \"" + s + "\": the published and target ranges differ in size");
        }
        String protocol = protocol(proto, at);
        List<Map<String, Object>> out = new ArrayList<>();
        for (long t = target[0]; t <= target[1]; t++) {
            Map<String, Object> p = port(t, pub == null ? 0 : pub[0] + (t - target[0]), protocol);
            out.add(reorder(p));
        }
        return out;
    }

    private static long[] range(String text, String whole, At at) {
        String[] r = text.split("-", -1);
        if (r.length > 2) {
            throw at.fail("invalid port \"" + whole + "\"");
        }
        long from = number(r[0], whole, at);
        long to = r.length == 2 ? number(r[1], whole, at) : from;
        if (to < from) {
            throw at.fail("invalid port range \"" + whole + "\"");
        }
        return new long[] {from, to};
    }

    private static long number(String s, String whole, At at) {
        try {
            long n = Long.parseLong(s.trim());
            if (n >= 1 && n <= 65535) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw at.fail("invalid port \"" + whole + "\"");
    }

    private static long port(Object v, At at) {
        long n = v instanceof String s ? number(s, s, at) : at.integer(v);
        if (n < 1 || n > 65535) {
            throw at.fail("port " + n + " is not in 1-65535");
        }
        return n;
    }

    private static String protocol(Object v, At at) {
        String p = at.string(v).toLowerCase();
        if (!p.equals("tcp") && !p.equals("udp")) {
            throw at.fail("protocol \"" + v + "\" is not tcp or udp");
        }
        return p;
    }

    private static Map<String, Object> port(long target, long published, String protocol) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("target", target);
        if (published > 0) {
            p.put("published", published);
        }
        p.put("protocol", protocol);
        return p;
    }

    /** Keys in the order `stack config` prints them: mode, target, published, protocol. */
    private static Map<String, Object> reorder(Map<String, Object> p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", p.getOrDefault("mode", "ingress"));
        out.put("target", p.get("target"));
        if (p.containsKey("published")) {
            out.put("published", p.get("published"));
        }
        out.put("protocol", p.get("protocol"));
        return out;
    }

    /** The key two ports are the same port by, when files merge. */
    static String mergeKey(Map<String, Object> p) {
        return p.get("target") + "/" + p.getOrDefault("published", "") + "/" + p.get("protocol");
    }
}
