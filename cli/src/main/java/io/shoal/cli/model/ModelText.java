package io.shoal.cli.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The line format of the command model file ({@link ModelGenerator} writes it, {@link CommandModels}
 * reads it): one record a line, a key and its values separated by tabs, each value escaped
 * ({@code \\}, {@code \t}, {@code \n}) and {@code \0} standing for null. Records nest in blocks that
 * {@code end} closes: a command holds its mixins, options and positional parameters, a mixin its own.
 */
final class ModelText {
    static final String NULL = "\\0";

    private ModelText() {}

    /** One record: the key and its values, escaped. */
    static String line(String key, String... values) {
        StringBuilder b = new StringBuilder(key);
        for (String v : values) {
            b.append('\t').append(escape(v));
        }
        return b.append('\n').toString();
    }

    static String escape(String v) {
        if (v == null) {
            return NULL;
        }
        StringBuilder b = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** The key and the values of one record, unescaped. */
    static String[] fields(String line) {
        List<String> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int tab = line.indexOf('\t', from);
            String f = tab < 0 ? line.substring(from) : line.substring(from, tab);
            out.add(out.isEmpty() ? f : unescape(f));
            if (tab < 0) {
                return out.toArray(String[]::new);
            }
            from = tab + 1;
        }
    }

    static String unescape(String f) {
        if (f.indexOf('\\') < 0) {
            return f;
        }
        if (f.equals(NULL)) {
            return null;
        }
        StringBuilder b = new StringBuilder(f.length());
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c != '\\' || i + 1 == f.length()) {
                b.append(c);
                continue;
            }
            char n = f.charAt(++i);
            switch (n) {
                case 't' -> b.append('\t');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                default -> b.append(n);
            }
        }
        return b.toString();
    }
}
