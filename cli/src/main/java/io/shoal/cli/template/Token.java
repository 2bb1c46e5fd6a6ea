package io.shoal.cli.template;

/**
 * One lexical item of a template. {@code glued}: no space before it (so {@code $x.Field} and
 * {@code (pipeline).Field} chain, while {@code $x .Field} are two arguments).
 */
record Token(Kind kind, String text, int line, int col, boolean glued) {
    enum Kind { TEXT, OPEN, CLOSE, FIELD, VARIABLE, DOT, IDENT, STRING, NUMBER, CHAR, PIPE, LPAREN, RPAREN, COMMA, DECLARE, ASSIGN, EOF }

    String where() {
        return ":" + line + ":" + col;
    }
}
