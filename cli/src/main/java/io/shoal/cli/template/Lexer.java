package io.shoal.cli.template;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into text and the tokens of its actions, as Go's text/template lexer does:
 * {@code {{- } and { -}}} trim the spaces next to them, {@code {{/* ... *}{@code /}}} is a comment.
 */
final class Lexer {
    private final String src;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private int line = 1;
    private int lineStart;

    private Lexer(String src) {
        this.src = src;
    }

    static List<Token> lex(String src) {
        Lexer l = new Lexer(src);
        l.run();
        return l.out;
    }

    private TemplateException error(String message) {
        return new TemplateException("template: :" + line + ": " + message);
    }

    private void run() {
        boolean trimNext = false;
        while (pos < src.length()) {
            int open = src.indexOf("{{", pos);
            int end = open < 0 ? src.length() : open;
            String text = src.substring(pos, end);
            boolean trimBefore = open >= 0 && open + 3 < src.length() && src.charAt(open + 2) == '-'
                    && Character.isWhitespace(src.charAt(open + 3));
            if (trimNext) {
                text = text.stripLeading();
            }
            if (trimBefore) {
                text = text.stripTrailing();
            }
            if (!text.isEmpty()) {
                out.add(new Token(Token.Kind.TEXT, text, line, col(pos), false));
            }
            advanceTo(end);
            if (open < 0) {
                break;
            }
            trimNext = action(trimBefore);
        }
        out.add(new Token(Token.Kind.EOF, "", line, col(pos), false));
    }

    private int col(int at) {
        return at - lineStart + 1;
    }

    private void advanceTo(int to) {
        for (int i = pos; i < to; i++) {
            if (src.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        pos = to;
    }

    /** Lexes one action from "{{"; returns whether it ends with a trim marker. */
    private boolean action(boolean trimmed) {
        advanceTo(pos + (trimmed ? 3 : 2));
        int openLine = line;
        skipSpaces();
        if (src.startsWith("/*", pos)) {
            int close = src.indexOf("*/", pos + 2);
            if (close < 0) {
                throw error("unclosed comment");
            }
            advanceTo(close + 2);
            skipSpaces();
            return closeAction(openLine, true);
        }
        out.add(new Token(Token.Kind.OPEN, "{{", line, col(pos), false));
        boolean glued = true;
        while (true) {
            if (pos >= src.length()) {
                throw new TemplateException("template: :" + openLine + ": unclosed action");
            }
            char c = src.charAt(pos);
            if (c == '\n' || c == ' ' || c == '\t' || c == '\r') {
                if (src.startsWith(" -}}", pos) || src.startsWith("}}", pos)) {
                    return closeAction(openLine, false);
                }
                advanceTo(pos + 1);
                glued = false;
                continue;
            }
            if (src.startsWith("}}", pos)) {
                return closeAction(openLine, false);
            }
            token(glued);
            glued = true;
        }
    }

    private void skipSpaces() {
        while (pos < src.length() && Character.isWhitespace(src.charAt(pos)) && !src.startsWith(" -}}", pos)) {
            advanceTo(pos + 1);
        }
    }

    private boolean closeAction(int openLine, boolean comment) {
        boolean trim = src.startsWith(" -}}", pos);
        if (!trim && !src.startsWith("}}", pos)) {
            throw new TemplateException("template: :" + openLine + ": " + (comment ? "comment ends before closing delimiter" : "unclosed action"));
        }
        if (!comment) {
            out.add(new Token(Token.Kind.CLOSE, "}}", line, col(pos), false));
        }
        advanceTo(pos + (trim ? 4 : 2));
        return trim;
    }

    private void token(boolean glued) {
        int start = pos;
        int l = line;
        int c = col(pos);
        char ch = src.charAt(pos);
        Token.Kind kind;
        switch (ch) {
            case '|' -> { pos++; kind = Token.Kind.PIPE; }
            case '(' -> { pos++; kind = Token.Kind.LPAREN; }
            case ')' -> { pos++; kind = Token.Kind.RPAREN; }
            case ',' -> { pos++; kind = Token.Kind.COMMA; }
            case '=' -> { pos++; kind = Token.Kind.ASSIGN; }
            case ':' -> {
                if (!src.startsWith(":=", pos)) {
                    throw error("expected :=");
                }
                pos += 2;
                kind = Token.Kind.DECLARE;
            }
            case '"' -> { quoted('"'); kind = Token.Kind.STRING; }
            case '`' -> {
                int close = src.indexOf('`', pos + 1);
                if (close < 0) {
                    throw error("unterminated raw quoted string");
                }
                advanceTo(close + 1);
                kind = Token.Kind.STRING;
            }
            case '\'' -> { quoted('\''); kind = Token.Kind.CHAR; }
            case '.' -> {
                pos++;
                if (pos < src.length() && isWordChar(src.charAt(pos))) {
                    word();
                    kind = Token.Kind.FIELD;
                } else {
                    kind = Token.Kind.DOT;
                }
            }
            case '$' -> { pos++; word(); kind = Token.Kind.VARIABLE; }
            default -> {
                if (Character.isDigit(ch) || ((ch == '-' || ch == '+') && pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1)))) {
                    pos++;
                    while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '.'
                            || src.charAt(pos) == '_' || ((src.charAt(pos) == '-' || src.charAt(pos) == '+')
                            && (src.charAt(pos - 1) == 'e' || src.charAt(pos - 1) == 'E')))) {
                        pos++;
                    }
                    kind = Token.Kind.NUMBER;
                } else if (isWordChar(ch)) {
                    word();
                    kind = Token.Kind.IDENT;
                } else {
                    throw error("unexpected \"" + ch + "\" in command");
                }
            }
        }
        out.add(new Token(kind, src.substring(start, pos), l, c, glued));
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private void word() {
        while (pos < src.length() && isWordChar(src.charAt(pos))) {
            pos++;
        }
    }

    private void quoted(char q) {
        int i = pos + 1;
        while (i < src.length() && src.charAt(i) != q) {
            if (src.charAt(i) == '\\') {
                i++;
            }
            if (i < src.length() && src.charAt(i) == '\n') {
                throw error("unterminated quoted string");
            }
            i++;
        }
        if (i >= src.length()) {
            throw error("unterminated quoted string");
        }
        pos = i + 1;
    }
}
