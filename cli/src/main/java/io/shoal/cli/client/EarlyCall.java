package io.shoal.cli.client;

import io.grpc.Status;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A listing's request sent before the command model is built: {@code service ls} and {@code node ls}
 * ask the daemon the same question whatever their options say (their filters and formats apply to
 * the answer), so {@code Main} sends it on a thread of its own as soon as the process starts, and the
 * command, once its model is built and its arguments parsed, finds the answer there rather than
 * connecting then. Connecting (the JDK's unix socket support loads the security providers), the
 * daemon's work and the transfer then overlap the model's ~20 ms on the main thread
 * (docs/operations.md, "A fast CLI").
 *
 * <p>Nothing changes but when: the request is a read and has no effect on the daemon; the answer is
 * used only by a call to the same socket, method and request bytes, with the same message size limit
 * and a deadline no earlier than the early call's own; every other call (or a second one) goes out as
 * ever. Its failure is the call's failure, with the very status a call made then would have met.
 * A command that does not make that call (a usage error, {@code --help}) leaves it unused: a wasted
 * read, and the process exits without waiting for it.
 */
public final class EarlyCall implements Runnable {
    /** The deadline the listings' stubs set ({@code ClientCommand.control()}). */
    static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private static EarlyCall pending;

    private final Path socket;
    private final String method;
    private final byte[] request;
    private final long deadlineNanos;
    private final CountDownLatch done = new CountDownLatch(1);
    private Http2Connection connection;
    private UnaryReply reply;

    private EarlyCall(Path socket, String method, byte[] request, long deadlineNanos) {
        this.socket = socket;
        this.method = method;
        this.request = request;
        this.deadlineNanos = deadlineNanos;
    }

    /**
     * Sends {@code request} (a serialized message) to {@code method} ({@code /package.Service/Method})
     * at the daemon {@code host} names, on a daemon thread, when {@code host} is a {@code unix://}
     * path; returns whether it did.
     */
    public static synchronized boolean start(String host, String method, byte[] request) {
        if (!host.startsWith("unix://") || host.length() == "unix://".length()) {
            return false; // tcp:// goes through grpc-java's channel; a bad host is the command's usage error
        }
        Path socket;
        try {
            socket = Path.of(host.substring("unix://".length()));
        } catch (InvalidPathException e) {
            return false;
        }
        EarlyCall c = new EarlyCall(socket, method, request.clone(), System.nanoTime() + DEADLINE_NANOS);
        pending = c;
        Thread t = new Thread(c, "shoal-early-call");
        t.setDaemon(true);
        t.start();
        return true;
    }

    @Override
    public void run() {
        try {
            connection = Http2Connection.open(socket, LightChannel.MAX_MESSAGE);
            reply = connection.call(method, request, deadlineNanos);
        } catch (IOException e) {
            reply = LightChannel.unreachable(e);
        } catch (RuntimeException | Error e) {
            reply = UnaryReply.failed(Status.INTERNAL.withDescription("early call: " + e).withCause(e));
        } finally {
            done.countDown();
        }
    }

    /**
     * The early call that this call can use, once it has ended (waiting for it), or null when there
     * is none for it; an early call is used once. {@code deadlineNanos} is the call's own
     * ({@link System#nanoTime()}, or {@link Long#MAX_VALUE} for none).
     */
    static EarlyCall take(Path socket, String method, byte[] request, long deadlineNanos, int maxMessage) {
        EarlyCall c;
        synchronized (EarlyCall.class) {
            c = pending;
            if (c == null || !c.socket.equals(socket) || !c.method.equals(method) || !Arrays.equals(c.request, request)
                    || maxMessage != LightChannel.MAX_MESSAGE
                    || (deadlineNanos != Long.MAX_VALUE && deadlineNanos - c.deadlineNanos < 0)) {
                return null;
            }
            pending = null;
        }
        boolean interrupted = false;
        while (true) {
            try {
                c.done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the early call has a deadline of its own: it ends
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return c;
    }

    /** How the call ended. */
    UnaryReply reply() {
        return reply;
    }

    /** The connection the call used, for the calls after it, or null when it is not usable; handed over once. */
    Http2Connection connection() {
        Http2Connection h = connection;
        connection = null;
        return h != null && h.usable() ? h : null;
    }

    /** Forgets an early call nobody took (tests). */
    static synchronized void discard() {
        pending = null;
    }
}
