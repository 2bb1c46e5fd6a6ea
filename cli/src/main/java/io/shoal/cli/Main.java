package io.shoal.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import javax.net.ssl.SSLException;

/** The {@code shoal} command. Exit status: 0 ok, 1 failed request (one line on stderr), 2 bad usage. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // the commonest question, answered without building any command model
            System.out.println(RootCommand.versionLine());
            System.exit(0);
        }
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.err.flush();
        // exit at once rather than wait for gRPC's threads to wind down
        System.exit(code);
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
     * The command model for {@code args}: the root with only the top-level command they name, or the
     * whole tree when they name none (help, usage errors) or one that does not exist.
     */
    static CommandLine commandLine(String[] args) {
        String name = commandName(args);
        Class<?> only = name == null ? null : ShoalCommand.command(name);
        CommandLine cl = only == null ? new CommandLine(new ShoalCommand()) : new CommandLine(new RootCommand()).addSubcommand(only);
        CommandLine service = cl.getSubcommands().get("service");
        if (service != null) {
            // everything after IMAGE belongs to the container's command, flags included
            service.getSubcommands().get("create").setStopAtPositional(true);
        }
        return cl;
    }

    /** The first word of {@code args} that is not a root option (or its value), or null. */
    static String commandName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-H") || a.equals("--host")) {
                i++;
            } else if (a.startsWith("-")) {
                if (!a.startsWith("--host=") && !(a.startsWith("-H") && a.length() > 2)) {
                    return null;
                }
            } else {
                return a;
            }
        }
        return null;
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
