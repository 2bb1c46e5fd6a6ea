package io.shoal.compose;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses one compose file into plain values: mappings (string keys, in order), lists, strings,
 * longs, doubles, booleans and nulls. SnakeYAML does the parsing (anchors, aliases, {@code <<} merge
 * keys); scalars resolve by YAML 1.2's core schema, so {@code 80:80}, {@code yes}, {@code on} and
 * {@code 2024-01-01} stay strings. As Docker's YAML parsers do, an integer with a leading zero is
 * octal ({@code mode: 0440}, as compose files write file modes), as is {@code 0o440}. Duplicate keys
 * are refused, and alias expansion is bounded (no "billion laughs").
 */
final class YamlReader {
    private static final Pattern CORE_BOOL = Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$");
    private static final Pattern CORE_INT = Pattern.compile("^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$");
    private static final Pattern CORE_FLOAT = Pattern.compile(
            "^(?:[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");
    private static final Pattern CORE_NULL = Pattern.compile("^(?:~|null|Null|NULL)$");

    private YamlReader() {}

    /** The top-level mapping of {@code text}; {@code file} names it in errors. */
    static Map<String, Object> read(String file, String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(100);
        options.setAllowRecursiveKeys(false);
        Yaml yaml = new Yaml(new Core12Constructor(options), new Representer(new DumperOptions()),
                new DumperOptions(), options, new Core12Resolver());
        Object doc;
        try {
            doc = yaml.load(text);
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark();
            String where = mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
            String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
            throw new ComposeException(file, "", "invalid YAML: " + where + problem.lines().findFirst().orElse(problem));
        } catch (YAMLException e) {
            throw new ComposeException(file, "", "invalid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (doc == null) {
            throw new ComposeException(file, "", "the file is empty");
        }
        if (!(doc instanceof Map)) {
            throw new ComposeException(file, "", "the top level must be a mapping, not " + At.describe(doc));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) plain(doc, At.root(file));
        return out;
    }

    /** Keys as strings (as Docker's loader does), values copied into mutable containers. */
    private static Object plain(Object v, At at) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object k = e.getKey();
                if (!(k instanceof String || k instanceof Number || k instanceof Boolean)) {
                    throw at.fail("a key must be a string, not " + At.describe(k));
                }
                String key = String.valueOf(k);
                out.put(key, plain(e.getValue(), at.key(key)));
            }
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                out.add(plain(l.get(i), at.index(i)));
            }
            return out;
        }
        if (v instanceof Integer i) {
            return i.longValue();
        }
        if (v instanceof BigInteger) {
            throw at.fail("number " + v + " is too large");
        }
        if (v instanceof byte[] || v != null && !(v instanceof String || v instanceof Long || v instanceof Double || v instanceof Boolean)) {
            throw at.fail("unsupported value " + v);
        }
        return v;
    }

    /**
     * YAML 1.2 core schema: only true/false are booleans, no sexagesimals, no timestamps. (The
     * patterns are named CORE_*: Resolver's own INT, BOOL, ... would shadow same-named fields here.)
     */
    private static final class Core12Resolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.BOOL, CORE_BOOL, "tTfF");
            addImplicitResolver(Tag.INT, CORE_INT, "-+0123456789");
            addImplicitResolver(Tag.FLOAT, CORE_FLOAT, "-+0123456789.");
            addImplicitResolver(Tag.MERGE, MERGE, "<");
            addImplicitResolver(Tag.NULL, CORE_NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, EMPTY, null);
        }
    }

    /** Integers by the core schema (decimal, 0o octal, 0x hex; and 0-prefixed octal) into longs. */
    private static final class Core12Constructor extends SafeConstructor {
        Core12Constructor(LoaderOptions options) {
            super(options);
            this.yamlConstructors.put(Tag.INT, new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    String s = ((ScalarNode) node).getValue();
                    BigInteger n = s.startsWith("0o") ? new BigInteger(s.substring(2), 8)
                            : s.length() > 1 && s.startsWith("0") && s.matches("0[0-7]+") ? new BigInteger(s.substring(1), 8)
                            : s.startsWith("0x") ? new BigInteger(s.substring(2), 16)
                            : new BigInteger(s.startsWith("+") ? s.substring(1) : s);
                    return n.bitLength() < 64 ? (Object) n.longValue() : n;
                }
            });
        }
    }
}
