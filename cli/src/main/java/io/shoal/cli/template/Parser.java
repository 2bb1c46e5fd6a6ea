package io.shoal.cli.template;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Builds the {@link Node} tree from the lexer's tokens; refuses what Go's parser refuses, in its words. */
final class Parser {
    private final List<Token> tokens;
    private final Set<String> functions;
    private int i;
    private int rangeDepth;
    /** The keyword that ended the last {@link #list} ("end", "else" or "" at the end of input). */
    private String ended = "";

    private Parser(List<Token> tokens, Set<String> functions) {
        this.tokens = tokens;
        this.functions = functions;
    }

    static List<Node> parse(String src, Set<String> functions) {
        Parser p = new Parser(Lexer.lex(src), functions);
        List<Node> nodes = p.list();
        if (!p.ended.isEmpty()) {
            throw p.error(p.prev(), "unexpected {{" + p.ended + "}}");
        }
        return nodes;
    }

    private Token peek() {
        return tokens.get(i);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(i + ahead, tokens.size() - 1));
    }

    private Token next() {
        return tokens.get(i++);
    }

    private Token prev() {
        return tokens.get(Math.max(0, i - 1));
    }

    private TemplateException error(Token at, String message) {
        return new TemplateException("template: " + at.where() + ": " + message);
    }

    private Token expect(Token.Kind kind, String what) {
        Token t = next();
        if (t.kind() != kind) {
            throw error(t, "unexpected " + describe(t) + " in " + what);
        }
        return t;
    }

    private static String describe(Token t) {
        return switch (t.kind()) {
            case EOF -> "EOF";
            case CLOSE -> "\"}}\"";
            default -> "\"" + t.text() + "\"";
        };
    }

    /** Nodes up to {{end}}, {{else ...}} or the end of input; {@link #ended} says which. */
    private List<Node> list() {
        List<Node> nodes = new ArrayList<>();
        while (true) {
            Token t = next();
            switch (t.kind()) {
                case EOF -> {
                    ended = "";
                    return nodes;
                }
                case TEXT -> nodes.add(new Node.Text(t.text()));
                case OPEN -> {
                    Token k = peek();
                    String word = k.kind() == Token.Kind.IDENT ? k.text() : "";
                    switch (word) {
                        case "end", "else" -> {
                            next();
                            ended = word;
                            return nodes;
                        }
                        case "if" -> nodes.add(ifNode());
                        case "range" -> nodes.add(rangeNode());
                        case "with" -> nodes.add(withNode());
                        case "break", "continue" -> {
                            next();
                            if (rangeDepth == 0) {
                                throw error(k, "{{" + word + "}} outside {{range}}");
                            }
                            expect(Token.Kind.CLOSE, word);
                            nodes.add(word.equals("break") ? new Node.Break(k) : new Node.Continue(k));
                        }
                        case "define", "template", "block" -> throw error(k, "{{" + word + "}} is not supported in --format");
                        default -> {
                            Node.Pipeline p = pipeline("command", true);
                            expect(Token.Kind.CLOSE, "command");
                            nodes.add(new Node.Action(p));
                        }
                    }
                }
                default -> throw error(t, "unexpected " + describe(t));
            }
        }
    }

    private Node ifNode() {
        Token at = next();
        Node.Pipeline cond = pipeline("if", false);
        expect(Token.Kind.CLOSE, "if");
        List<Node> then = list();
        List<Node> otherwise = List.of();
        if (ended.equals("else")) {
            if (peek().kind() == Token.Kind.IDENT && peek().text().equals("if")) {
                // {{else if}}: a nested if whose {{end}} ends this one too
                otherwise = List.of(ifNode());
                return new Node.If(cond, then, otherwise);
            }
            expect(Token.Kind.CLOSE, "else");
            otherwise = list();
        }
        requireEnd(at, "if");
        return new Node.If(cond, then, otherwise);
    }

    private Node rangeNode() {
        Token at = next();
        Node.Pipeline p = pipeline("range", false);
        expect(Token.Kind.CLOSE, "range");
        rangeDepth++;
        List<Node> body = list();
        rangeDepth--;
        List<Node> otherwise = List.of();
        if (ended.equals("else")) {
            expect(Token.Kind.CLOSE, "else");
            otherwise = list();
        }
        requireEnd(at, "range");
        return new Node.Range(p, body, otherwise);
    }

    private Node withNode() {
        Token at = next();
        Node.Pipeline p = pipeline("with", false);
        expect(Token.Kind.CLOSE, "with");
        List<Node> body = list();
        List<Node> otherwise = List.of();
        if (ended.equals("else")) {
            expect(Token.Kind.CLOSE, "else");
            otherwise = list();
        }
        requireEnd(at, "with");
        return new Node.With(p, body, otherwise);
    }

    private void requireEnd(Token at, String what) {
        if (!ended.equals("end")) {
            throw error(at, "unexpected EOF: {{" + what + "}} has no {{end}}");
        }
        expect(Token.Kind.CLOSE, "end");
    }

    private Node.Pipeline pipeline(String context, boolean mayDeclare) {
        Token at = peek();
        List<String> vars = new ArrayList<>();
        boolean assign = false;
        if (peek().kind() == Token.Kind.VARIABLE && isDeclaration()) {
            vars.add(next().text());
            if (peek().kind() == Token.Kind.COMMA) {
                next();
                vars.add(expect(Token.Kind.VARIABLE, context).text());
            }
            Token op = next();
            assign = op.kind() == Token.Kind.ASSIGN;
            if (!mayDeclare && !context.equals("range") && vars.size() > 1) {
                throw error(op, "too many declarations in " + context);
            }
        }
        List<Node.Command> commands = new ArrayList<>();
        while (true) {
            commands.add(command(context));
            if (peek().kind() != Token.Kind.PIPE) {
                break;
            }
            next();
        }
        return new Node.Pipeline(vars, assign, commands, at);
    }

    private boolean isDeclaration() {
        Token.Kind after = peek(1).kind();
        if (after == Token.Kind.DECLARE || after == Token.Kind.ASSIGN) {
            return true;
        }
        return after == Token.Kind.COMMA && peek(2).kind() == Token.Kind.VARIABLE
                && (peek(3).kind() == Token.Kind.DECLARE || peek(3).kind() == Token.Kind.ASSIGN);
    }

    private Node.Command command(String context) {
        Token at = peek();
        List<Node.Arg> args = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t.kind() == Token.Kind.PIPE || t.kind() == Token.Kind.CLOSE || t.kind() == Token.Kind.RPAREN) {
                break;
            }
            if (t.kind() == Token.Kind.EOF || t.kind() == Token.Kind.TEXT || t.kind() == Token.Kind.OPEN) {
                throw error(t, "unclosed action");
            }
            args.add(operand());
        }
        if (args.isEmpty()) {
            throw error(at, "missing value for " + context);
        }
        if (args.size() > 1 && !(args.getFirst() instanceof Node.Func)) {
            throw error(args.get(1).at(), "can't give argument to non-function " + args.getFirst().at().text());
        }
        return new Node.Command(args, at);
    }

    private Node.Arg operand() {
        Token t = next();
        return switch (t.kind()) {
            case FIELD -> {
                List<String> names = new ArrayList<>();
                names.add(t.text().substring(1));
                names.addAll(fields());
                yield new Node.Field(names, t);
            }
            case DOT -> new Node.Field(List.of(), t);
            case VARIABLE -> new Node.Var(t.text(), fields(), t);
            case STRING -> new Node.Literal(t.text().startsWith("`") ? t.text().substring(1, t.text().length() - 1)
                    : GoStrings.unquote(t.text().substring(1, t.text().length() - 1), () -> error(t, "invalid syntax: " + t.text())), t);
            case CHAR -> {
                String s = GoStrings.unquote(t.text().substring(1, t.text().length() - 1), () -> error(t, "invalid syntax: " + t.text()));
                if (s.codePointCount(0, s.length()) != 1) {
                    throw error(t, "malformed character constant: " + t.text());
                }
                yield new Node.Literal((long) s.codePointAt(0), t);
            }
            case NUMBER -> new Node.Literal(number(t), t);
            case IDENT -> switch (t.text()) {
                case "true" -> new Node.Literal(Boolean.TRUE, t);
                case "false" -> new Node.Literal(Boolean.FALSE, t);
                case "nil" -> new Node.Literal(null, t);
                default -> {
                    if (!functions.contains(t.text())) {
                        throw error(t, "function \"" + t.text() + "\" not defined");
                    }
                    yield new Node.Func(t.text(), t);
                }
            };
            case LPAREN -> {
                Node.Pipeline p = pipeline("parenthesized pipeline", false);
                expect(Token.Kind.RPAREN, "parenthesized pipeline");
                yield new Node.Sub(p, fields(), t);
            }
            default -> throw error(t, "unexpected " + describe(t) + " in operand");
        };
    }

    /** Fields glued to the operand before them: {@code $x.A.B}, {@code (...).A}. */
    private List<String> fields() {
        List<String> names = new ArrayList<>();
        while (peek().kind() == Token.Kind.FIELD && peek().glued()) {
            names.add(next().text().substring(1));
        }
        return names;
    }

    private Object number(Token t) {
        String s = t.text().replace("_", "");
        try {
            boolean negative = s.startsWith("-");
            String digits = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
            BigInteger v = null;
            if (digits.startsWith("0x") || digits.startsWith("0X")) {
                v = new BigInteger(digits.substring(2), 16);
            } else if (digits.startsWith("0b") || digits.startsWith("0B")) {
                v = new BigInteger(digits.substring(2), 2);
            } else if (digits.startsWith("0o") || digits.startsWith("0O")) {
                v = new BigInteger(digits.substring(2), 8);
            } else if (digits.matches("0[0-7]+")) {
                v = new BigInteger(digits.substring(1), 8);
            } else if (digits.matches("\\d+")) {
                v = new BigInteger(digits);
            }
            if (v != null) {
                return (negative ? v.negate() : v).longValueExact();
            }
            return Double.parseDouble(s);
        } catch (NumberFormatException | ArithmeticException e) {
            throw error(t, "bad number syntax: \"" + t.text() + "\"");
        }
    }
}
