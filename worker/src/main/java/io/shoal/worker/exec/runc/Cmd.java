package io.shoal.worker.exec.runc;

import io.shoal.worker.exec.ExecException;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a helper program (runc, conmon, ip) with a time limit and returns what it said. */
public final class Cmd {
    public record Result(int code, String out, String err) {
        String oneLine() {
            String s = (err.isBlank() ? out : err).strip();
            return s.isEmpty() ? "exit " + code : s.lines().reduce((a, b) -> b).orElse(s);
        }
    }

    private Cmd() {}

    public static Result run(List<String> cmd, Duration timeout) throws ExecException {
        return run(cmd, Map.of(), timeout);
    }

    /** {@link #run(List, Duration)} with {@code env} added to the daemon's environment. */
    public static Result run(List<String> cmd, Map<String, String> env, Duration timeout) throws ExecException {
        try {
            ProcessBuilder b = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            b.environment().putAll(env);
            Process p = b.start();
            // small outputs only: read after exit is safe below the pipe buffer size
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new ExecException(cmd.get(0) + " did not finish within " + timeout.toMillis() + " ms");
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                    new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ExecException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExecException("interrupted while running " + cmd.get(0));
        }
    }

    public static Result check(List<String> cmd, Duration timeout) throws ExecException {
        return check(cmd, Map.of(), timeout);
    }

    /** {@link #check(List, Duration)} with {@code env} added to the daemon's environment. */
    public static Result check(List<String> cmd, Map<String, String> env, Duration timeout) throws ExecException {
        Result r = run(cmd, env, timeout);
        if (r.code() != 0) {
            throw new ExecException(cmd.get(0).replaceAll(".*/", "") + " " + cmd.get(cmd.size() > 1 ? 1 : 0) + ": " + r.oneLine());
        }
        return r;
    }
}
