package io.shoal.cli.template;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Runs a parsed template on one value, as Go's exec does: dot moves with range and with,
 * variables live until the end of the block that declared them, {@code and}/{@code or} stop at
 * the first argument that decides. A failure names where it happened ({@code executing "" at <.X>}).
 */
final class Exec {
    /** What a field the data does not have is: an error (a typo), or empty. */
    enum MissingKey { ERROR, ZERO }

    private static final class BreakSignal extends RuntimeException {
        BreakSignal() {
            super(null, null, false, false);
        }
    }

    private static final class ContinueSignal extends RuntimeException {
        ContinueSignal() {
            super(null, null, false, false);
        }
    }

    private record Variable(String name, Object[] value) {}

    private final StringBuilder out;
    private final MissingKey missing;
    private final Deque<Variable> vars = new ArrayDeque<>();

    Exec(StringBuilder out, MissingKey missing) {
        this.out = out;
        this.missing = missing;
    }

    void run(List<Node> nodes, Object data) {
        vars.push(new Variable("$", new Object[] {data}));
        list(nodes, data);
    }

    private void list(List<Node> nodes, Object dot) {
        int mark = vars.size();
        try {
            for (Node n : nodes) {
                node(n, dot);
            }
        } finally {
            while (vars.size() > mark) {
                vars.pop();
            }
        }
    }

    private void node(Node n, Object dot) {
        switch (n) {
            case Node.Text t -> out.append(t.text());
            case Node.Action a -> {
                Object v = pipeline(a.pipeline(), dot);
                if (a.pipeline().vars().isEmpty()) {
                    out.append(GoValues.print(v));
                }
            }
            case Node.If i -> {
                // a variable the condition declares lives until the if's {{end}}
                int mark = vars.size();
                try {
                    list(GoValues.truth(pipeline(i.cond(), dot)) ? i.then() : i.otherwise(), dot);
                } finally {
                    while (vars.size() > mark) {
                        vars.pop();
                    }
                }
            }
            case Node.With w -> {
                int mark = vars.size();
                Object v = pipeline(w.pipeline(), dot);
                try {
                    if (GoValues.truth(v)) {
                        list(w.body(), v);
                    } else {
                        list(w.otherwise(), dot);
                    }
                } finally {
                    while (vars.size() > mark) {
                        vars.pop();
                    }
                }
            }
            case Node.Range r -> range(r, dot);
            case Node.Break b -> throw new BreakSignal();
            case Node.Continue c -> throw new ContinueSignal();
        }
    }

    private void range(Node.Range r, Object dot) {
        int mark = vars.size();
        Node.Pipeline p = r.pipeline();
        Node.Pipeline value = new Node.Pipeline(List.of(), false, p.commands(), p.at());
        Object v = GoValues.unwrap(pipeline(value, dot));
        List<Object[]> items = new ArrayList<>();
        if (GoValues.isList(v)) {
            List<Object> els = GoValues.elements(v);
            for (int i = 0; i < els.size(); i++) {
                items.add(new Object[] {(long) i, els.get(i)});
            }
        } else if (GoValues.isMap(v)) {
            for (String k : GoValues.keys(v)) {
                items.add(new Object[] {k, GoValues.get(v, k)});
            }
        } else if (v instanceof Long n) {
            for (long i = 0; i < n; i++) {
                items.add(new Object[] {i, i});
            }
        } else if (v != null && v != GoValues.NO_VALUE) {
            throw error(p.at(), "range can't iterate over " + GoValues.print(v));
        }
        try {
            if (items.isEmpty()) {
                list(r.otherwise(), dot);
                return;
            }
            for (Object[] item : items) {
                int inner = vars.size();
                if (p.vars().size() == 1) {
                    vars.push(new Variable(p.vars().get(0), new Object[] {item[1]}));
                } else if (p.vars().size() == 2) {
                    vars.push(new Variable(p.vars().get(0), new Object[] {item[0]}));
                    vars.push(new Variable(p.vars().get(1), new Object[] {item[1]}));
                }
                try {
                    list(r.body(), item[1]);
                } catch (ContinueSignal c) {
                    // next item
                } catch (BreakSignal b) {
                    break;
                } finally {
                    while (vars.size() > inner) {
                        vars.pop();
                    }
                }
            }
        } finally {
            while (vars.size() > mark) {
                vars.pop();
            }
        }
    }

    private Object pipeline(Node.Pipeline p, Object dot) {
        Object v = null;
        boolean piped = false;
        for (Node.Command c : p.commands()) {
            v = command(c, dot, piped ? v : null, piped);
            piped = true;
        }
        if (!p.vars().isEmpty()) {
            if (p.assign()) {
                lookup(p.vars().get(0), p.at())[0] = v;
            } else {
                vars.push(new Variable(p.vars().get(0), new Object[] {v}));
            }
        }
        return v;
    }

    private Object command(Node.Command c, Object dot, Object piped, boolean hasPiped) {
        Node.Arg first = c.args().getFirst();
        if (first instanceof Node.Func f) {
            if (f.name().equals("and") || f.name().equals("or")) {
                return logic(f, c.args().subList(1, c.args().size()), dot, piped, hasPiped);
            }
            List<Object> args = new ArrayList<>();
            for (Node.Arg a : c.args().subList(1, c.args().size())) {
                args.add(arg(a, dot));
            }
            if (hasPiped) {
                args.add(piped);
            }
            try {
                return Funcs.call(f.name(), args);
            } catch (IllegalArgumentException e) {
                throw error(f.at(), "error calling " + f.name() + ": " + e.getMessage());
            }
        }
        if (hasPiped) {
            throw error(first.at(), "can't give argument to non-function " + first.at().text());
        }
        return arg(first, dot);
    }

    private Object logic(Node.Func f, List<Node.Arg> args, Object dot, Object piped, boolean hasPiped) {
        if (args.isEmpty() && !hasPiped) {
            throw error(f.at(), "wrong number of args for " + f.name() + ": want at least 1 got 0");
        }
        boolean and = f.name().equals("and");
        Object v = null;
        for (Node.Arg a : args) {
            v = arg(a, dot);
            if (GoValues.truth(v) != and) {
                return v;
            }
        }
        if (hasPiped) {
            v = piped;
        }
        return v;
    }

    private Object arg(Node.Arg a, Object dot) {
        return switch (a) {
            case Node.Field f -> fields(dot, f.names(), f.at(), "");
            case Node.Var v -> fields(lookup(v.name(), v.at())[0], v.fields(), v.at(), v.name());
            case Node.Literal l -> l.value();
            case Node.Sub s -> fields(pipeline(s.pipeline(), dot), s.fields(), s.at(), "(...)");
            case Node.Func f -> {
                try {
                    yield Funcs.call(f.name(), List.of());
                } catch (IllegalArgumentException e) {
                    throw error(f.at(), "error calling " + f.name() + ": " + e.getMessage());
                }
            }
        };
    }

    private Object[] lookup(String name, Token at) {
        for (Variable v : vars) {
            if (v.name().equals(name)) {
                return v.value();
            }
        }
        throw error(at, "undefined variable: " + name);
    }

    private Object fields(Object v, List<String> names, Token at, String prefix) {
        v = GoValues.unwrap(v);
        StringBuilder path = new StringBuilder(prefix);
        for (String name : names) {
            path.append('.').append(name);
            if (v == GoValues.NO_VALUE) {
                return v;
            }
            if (GoValues.isMap(v)) {
                String key = GoValues.field(v, name);
                if (key != null) {
                    v = GoValues.get(v, key);
                } else if (missing == MissingKey.ZERO) {
                    v = GoValues.NO_VALUE;
                } else {
                    throw error(at, "executing \"\" at <" + path + ">: map has no entry for key \"" + name + "\" (it has "
                            + String.join(", ", GoValues.keys(v)) + ")");
                }
            } else if (v == null) {
                if (missing == MissingKey.ZERO) {
                    return GoValues.NO_VALUE;
                }
                throw error(at, "executing \"\" at <" + path + ">: nil pointer evaluating " + name);
            } else {
                throw error(at, "executing \"\" at <" + path + ">: can't evaluate field " + name + " in type " + GoValues.typeName(v));
            }
        }
        return v;
    }

    private static TemplateException error(Token at, String message) {
        return new TemplateException("template: " + at.where() + ": " + message);
    }
}
