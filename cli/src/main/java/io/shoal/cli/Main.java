package io.shoal.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.ControlGrpc;
import io.shoal.cli.client.EarlyCall;
import io.shoal.cli.client.Preload;
import io.shoal.cli.model.CommandModels;
import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.util.Arrays;
import javax.net.ssl.SSLException;

/** The {@code shoal} command. Exit status: 0 ok, 1 failed request (one line on stderr), 2 bad usage. */
public final class Main {
    /** The root command without its commands, and the whole tree. */
    private static final String ROOT = "io.shoal.cli.RootCommand";
    private static final String TREE = "io.shoal.cli.ShoalCommand";
    /**
     * picocli's converters left out: every {@code CommandLine} registers its built-in converters, and
     * those for java.sql and java.time types are found by reflection and initialize their classes,
     * ~8 ms of a client's start; no option has such a type ({@code ModelGenerator} fails the build
     * if one does).
     */
    private static final String CONVERTERS_EXCLUDES = "picocli.converters.excludes";
    /**
     * picocli looks for Groovy's {@code groovy.lang.Closure} when it first makes a command object,
     * which, since no jar has it, opened every jar of the class path on the main thread; no command
     * is a Groovy closure.
     */
    private static final String NO_CLOSURES = "picocli.disable.closures";
    /** The listings sent early ({@link #callEarly}); a compile-time constant, so ControlGrpc is not loaded here. */
    static final String LIST_SERVICES = "/" + ControlGrpc.SERVICE_NAME + "/ListServices";
    static final String LIST_NODES = "/" + ControlGrpc.SERVICE_NAME + "/ListNodes";
    private static final byte[] EMPTY_REQUEST = {};

    private Main() {}

    public static void main(String[] args) {
        if (versionOnly(args)) {
            // the commonest question, answered without building any command model
            System.out.println(RootCommand.versionLine());
            exit(args, 0);
        }
        if (!"daemon".equals(commandName(args))) {
            startClient(!callEarly(args));
        }
        exit(args, run(args, System.out, System.err));
    }

    /**
     * What a client process does before its command: starts {@link Preload} (with the socket's
     * setup unless an early call does it), leaves out the converters no option needs and picocli's
     * search for Groovy.
     * {@code io.shoal.cli.aot.TrainingRun} does the same, so that the AOT cache holds what a client's
     * run loads.
     */
    public static void startClient(boolean socket) {
        Preload.start(socket);
        if (System.getProperty(CONVERTERS_EXCLUDES) == null) {
            System.setProperty(CONVERTERS_EXCLUDES, CommandModels.UNUSED_CONVERTERS);
        }
        if (System.getProperty(NO_CLOSURES) == null) {
            System.setProperty(NO_CLOSURES, "true");
        }
    }

    /**
     * Sends the request of {@code service ls} or {@code node ls} (the same whatever their options: an
     * empty {@code ListServicesRequest} or {@code ListNodesRequest}) to the daemon the arguments name,
     * before any command model is built; the command's call takes its answer ({@link EarlyCall}).
     * Returns whether it did.
     */
    public static boolean callEarly(String[] args) {
        String method = earlyMethod(commandName(args), subcommandName(args));
        return method != null && EarlyCall.start(hostOf(args), method, EMPTY_REQUEST);
    }

    /** The method a listing sends whatever its options, or null for another command. */
    public static String earlyMethod(String command, String sub) {
        if (command == null || sub == null || !(sub.equals("ls") || sub.equals("list"))) {
            return null;
        }
        return switch (command) {
            case "service" -> LIST_SERVICES;
            case "node" -> LIST_NODES;
            default -> null;
        };
    }

    /**
     * The daemon {@code args} name as picocli would read {@code --host} (in any of its forms,
     * anywhere, since the option is inherited), else {@code SHOAL_HOST}, else the default. A guess
     * that differs from what picocli then reads costs only an unused early call: the call takes its
     * answer only for the same socket.
     */
    public static String hostOf(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                break;
            }
            if (a.equals("-H") || a.equals("--host")) {
                if (i + 1 < args.length) {
                    return args[i + 1];
                }
            } else if (a.startsWith("--host=")) {
                return a.substring("--host=".length());
            } else if (a.startsWith("-H=")) {
                return a.substring(3);
            } else if (a.startsWith("-H")) {
                return a.substring(2);
            }
        }
        String env = System.getenv("SHOAL_HOST");
        return env == null || env.isEmpty() ? RootCommand.DEFAULT_HOST : env;
    }

    /**
     * Ends the process at once rather than wait for gRPC's threads to wind down. A client halts:
     * {@code System.exit} first looks up the {@code java.lang.Runtime} logger to log the exit, which
     * set up the JDK's logging, 10-15 ms of a client's run; a client has no shutdown hooks to run.
     * {@code shoal daemon} exits as ever, so that its shutdown hooks run.
     */
    private static void exit(String[] args, int code) {
        System.out.flush();
        System.err.flush();
        if ("daemon".equals(commandName(args))) {
            System.exit(code);
        }
        Runtime.getRuntime().halt(code);
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        CommandLine cl = commandLine(args);
        cl.setOut(o);
        cl.setErr(e);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            e.println("Error: " + ex.getMessage());
            e.println("See '" + c.getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            e.println("Error: " + describe(ex));
            return ex instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl.execute(args);
    }

    /**
     * The command model for {@code args}: the root with only the command they name (a top-level
     * command, or one command of a group such as {@code service ls} under its group), the group's
     * whole subtree when they name a group but none of its commands, or the whole tree when they name
     * no command (help, usage errors) or one that does not exist: {@code service ls} does not build the
     * model of {@code service create} and {@code update}, a hundred options each. The models are those
     * written at build time from the annotations ({@link CommandModels}): no annotation is read here.
     */
    static CommandLine commandLine(String[] args) {
        CommandModels models = CommandModels.get();
        String name = commandName(args);
        String only = name == null ? null : models.subcommand(TREE, name);
        if (only == null) {
            return stopAtImage(models.commandLine(TREE, sub -> true));
        }
        String subName = subcommandName(args);
        String sub = subName == null ? null : models.subcommand(only, subName);
        CommandLine cl = models.commandLine(ROOT, s -> false);
        CommandLine group = models.commandLine(only, sub == null ? s -> true : sub::equals);
        cl.addSubcommand(group.getCommandName(), group);
        return stopAtImage(cl);
    }

    private static CommandLine stopAtImage(CommandLine cl) {
        CommandLine service = cl.getSubcommands().get("service");
        CommandLine create = service == null ? null : service.getSubcommands().get("create");
        if (create != null) {
            // everything after IMAGE belongs to the container's command, flags included
            create.setStopAtPositional(true);
        }
        return cl;
    }

    /**
     * Whether {@code args} only ask for the version: {@code --version} or {@code -V}, alone or after
     * one {@code --host} option, which picocli would answer with {@link RootCommand#versionLine()} and exit 0.
     */
    static boolean versionOnly(String[] args) {
        int i = commandIndex(args, 0);
        if (i >= 0) {
            return false; // a command
        }
        String last = args.length == 0 ? "" : args[args.length - 1];
        if (!last.equals("--version") && !last.equals("-V")) {
            return false;
        }
        String[] before = Arrays.copyOf(args, args.length - 1);
        return commandIndex(before, 0) < 0 && hostOptionsOnly(before);
    }

    /** Whether {@code args} are one {@code --host} option (picocli refuses two) and its value, or nothing. */
    private static boolean hostOptionsOnly(String[] args) {
        if (args.length > 2 || (args.length == 2 && !args[0].equals("-H") && !args[0].equals("--host"))) {
            return false;
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-H") || a.equals("--host")) {
                if (++i >= args.length) {
                    return false; // a missing value: picocli's usage error
                }
            } else if (!a.startsWith("--host=") && !(a.startsWith("-H") && a.length() > 2)) {
                return false;
            }
        }
        return true;
    }

    /** The first word of {@code args} that is not a root option (or its value), or null. */
    static String commandName(String[] args) {
        int i = commandIndex(args, 0);
        return i < 0 ? null : args[i];
    }

    /** The word after the command that {@link #commandName(String[])} finds (a group's command), or null. */
    private static String subcommandName(String[] args) {
        int i = commandIndex(args, 0);
        int j = i < 0 ? -1 : commandIndex(args, i + 1);
        return j < 0 ? null : args[j];
    }

    /**
     * The index of the first word of {@code args} from {@code from} on that is not a {@code --host}
     * option (or its value), or -1 when there is none or another option comes first.
     */
    private static int commandIndex(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-H") || a.equals("--host")) {
                i++;
            } else if (a.startsWith("-")) {
                if (!a.startsWith("--host=") && !(a.startsWith("-H") && a.length() > 2)) {
                    return -1;
                }
            } else {
                return i;
            }
        }
        return -1;
    }

    /** One line that says what went wrong. */
    static String describe(Exception ex) {
        if (ex instanceof StatusRuntimeException s) {
            Status st = s.getStatus();
            String d = st.getDescription();
            Throwable tls = tlsCause(s);
            if (tls != null) {
                return "TLS handshake with " + RootCommand.currentHost() + " failed (" + tls.getMessage()
                        + "): are SHOAL_CERT_PATH's certificates from this cluster?";
            }
            if (st.getCode() == Status.Code.UNAVAILABLE && (d == null || looksLikeConnectFailure(d, st.getCause()))) {
                return "cannot reach the shoal daemon at " + RootCommand.currentHost() + ": is 'shoal daemon' running?";
            }
            if (st.getCode() == Status.Code.DEADLINE_EXCEEDED) {
                return "the request timed out (" + (d == null ? "no answer" : d) + ")";
            }
            return d == null || d.isBlank() ? st.getCode().toString().toLowerCase().replace('_', ' ') : d;
        }
        String m = ex.getMessage();
        return m == null ? ex.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    private static Throwable tlsCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException) {
                return c;
            }
        }
        return null;
    }

    private static boolean looksLikeConnectFailure(String d, Throwable cause) {
        String l = d.toLowerCase();
        return l.startsWith("io exception") || l.contains("connection refused") || l.contains("no such file")
                || l.contains("connect(..) failed") || l.contains("unable to resolve") || cause instanceof ConnectException;
    }
}
