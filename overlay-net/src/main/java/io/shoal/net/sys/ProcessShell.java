package io.shoal.net.sys;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs commands as child processes, with a timeout after which the process is killed. */
public final class ProcessShell implements Shell {
    private final Duration timeout;

    public ProcessShell() {
        this(Duration.ofSeconds(30));
    }

    public ProcessShell(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public String run(List<String> argv, String stdin) {
        Process p;
        try {
            p = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            throw new CommandException(argv, -1, e.getMessage());
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the process exited early; its exit code and stderr say why
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new CommandException(argv, -1, "timed out after " + timeout);
            }
            int code = p.exitValue();
            if (code != 0) {
                throw new CommandException(argv, code, err.get());
            }
            return out.get();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandException(argv, -1, "interrupted");
        } catch (ExecutionException e) {
            throw new CommandException(argv, -1, String.valueOf(e.getCause()));
        }
    }

    private static CompletableFuture<String> drain(InputStream s) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (s) {
                f.complete(new String(s.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return f;
    }
}
