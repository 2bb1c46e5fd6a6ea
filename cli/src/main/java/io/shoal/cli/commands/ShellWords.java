package io.shoal.cli.commands;

import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

/** Splits a string into words as a POSIX shell would (quotes and backslashes; no expansion), as docker's {@code --args}. */
final class ShellWords {
    private ShellWords() {}

    static List<String> split(String s, String flag, CommandLine cmd) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\' && i + 1 < s.length() && "\"\\$`".indexOf(s.charAt(i + 1)) >= 0) {
                    w.append(s.charAt(++i));
                } else {
                    w.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < s.length()) {
                w.append(s.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new CommandLine.ParameterException(cmd, flag + ": unterminated " + quote + " quote in '" + s + "'");
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }
}
