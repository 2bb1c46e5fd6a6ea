package io.shoal.compose;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code .env} and {@code env_file} files: {@code KEY=VALUE} lines, blank lines and {@code #}
 * comments, an optional {@code export } prefix, values in double quotes (with {@code \n}, {@code \"}
 * and {@code \\} escapes) or single quotes (literal), and {@code #} comments after an unquoted
 * value. A line that is only {@code KEY} takes the value from the environment (and is left out when
 * the environment has none).
 */
final class EnvFile {
    private EnvFile() {}

    static Map<String, String> parse(String file, String text, Function<String, String> environment) {
        Map<String, String> out = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring(7).stripLeading();
            }
            int eq = line.indexOf('=');
            String key = (eq < 0 ? line : line.substring(0, eq)).strip();
            if (!key.matches("[A-Za-z_][A-Za-z0-9_.-]*")) {
                throw new ComposeException(file, "line " + (n + 1), "\"" + key + "\" is not a variable name");
            }
            if (eq < 0) {
                String v = environment.apply(key);
                if (v != null) {
                    out.put(key, v);
                }
                continue;
            }
            out.put(key, value(line.substring(eq + 1).strip(), file, n + 1));
        }
        return out;
    }

    private static String value(String v, String file, int line) {
        if (v.startsWith("\"") || v.startsWith("'")) {
            char q = v.charAt(0);
            StringBuilder b = new StringBuilder();
            for (int i = 1; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == q) {
                    return b.toString();
                }
                if (q == '"' && c == '\\' && i + 1 < v.length()) {
                    char e = v.charAt(++i);
                    b.append(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        default -> e;
                    });
                } else {
                    b.append(c);
                }
            }
            throw new ComposeException(file, "line " + line, "unterminated quoted value");
        }
        int hash = v.indexOf(" #");
        return (hash >= 0 ? v.substring(0, hash) : v).strip();
    }
}
