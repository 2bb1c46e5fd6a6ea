package io.shoal.cli.template;

import java.util.List;

/** The parsed template: text, actions and control structures, as Go's parse package names them. */
sealed interface Node {
    record Text(String text) implements Node {}

    /** {@code {{pipeline}}}: prints its value unless it declares or assigns variables. */
    record Action(Pipeline pipeline) implements Node {}

    /** if, range and with: {@code otherwise} is the else branch (an {@code else if} is an If inside it). */
    record If(Pipeline cond, List<Node> then, List<Node> otherwise) implements Node {}

    record Range(Pipeline pipeline, List<Node> body, List<Node> otherwise) implements Node {}

    record With(Pipeline pipeline, List<Node> body, List<Node> otherwise) implements Node {}

    record Break(Token at) implements Node {}

    record Continue(Token at) implements Node {}

    /** Commands joined by |; {@code vars} are declared ({@code :=}) or assigned ({@code =}) from its value. */
    record Pipeline(List<String> vars, boolean assign, List<Command> commands, Token at) {}

    /** A function call with its arguments, or a single operand. */
    record Command(List<Arg> args, Token at) {}

    sealed interface Arg {
        Token at();
    }

    /** {@code .} or {@code .A.B} (fields of dot). */
    record Field(List<String> names, Token at) implements Arg {}

    /** {@code $x} or {@code $x.A.B}; {@code $} alone is the data the template was run on. */
    record Var(String name, List<String> fields, Token at) implements Arg {}

    record Func(String name, Token at) implements Arg {}

    /** A string, number, bool, char or nil. */
    record Literal(Object value, Token at) implements Arg {}

    /** {@code (pipeline)} with optional fields after it. */
    record Sub(Pipeline pipeline, List<String> fields, Token at) implements Arg {}
}
