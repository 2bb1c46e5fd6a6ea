package io.shoal.compose;

import java.util.ArrayList;
import java.util.List;

/** Splits a command written as one string into words as a POSIX shell would (quotes and backslashes), without expansion. */
final class ShellWords {
    private ShellWords() {}

    static List<String> split(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if (c == '\\' && i + 1 < s.length()) {
                w.append(s.charAt(++i));
            } else if (c == '\'') {
                int end = s.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated single quote in \"" + s + "\"");
                }
                w.append(s, i + 1, end);
                i = end;
            } else if (c == '"') {
                int j = i + 1;
                for (; j < s.length() && s.charAt(j) != '"'; j++) {
                    char d = s.charAt(j);
                    if (d == '\\' && j + 1 < s.length() && "\"\\$`".indexOf(s.charAt(j + 1)) >= 0) {
                        w.append(s.charAt(++j));
                    } else {
                        w.append(d);
                    }
                }
                if (j >= s.length()) {
                    throw new IllegalArgumentException("unterminated double quote in \"" + s + "\"");
                }
                i = j;
            } else {
                w.append(c);
            }
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }
}
