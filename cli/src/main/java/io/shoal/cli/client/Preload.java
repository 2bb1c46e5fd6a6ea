package io.shoal.cli.client;

import io.shoal.api.ControlProto;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;

/**
 * Runs, on a thread of its own, the one-time work that a client's call does first while the main
 * thread builds and parses the command model: a machine has more than one core, and the two are
 * independent. Measured on the main thread of {@code service ls} (docs/benchmarks.md, "A fifth
 * round"): building the Control API's protobuf descriptors (its map fields need them), and the
 * JDK's unix socket support, whose first use makes a {@code SecureRandom} and so loads the security
 * providers. Each step only initializes classes: if the main thread needs one first, it waits for
 * it (the JVM initializes a class once), so nothing runs twice and nothing changes but when.
 * Failures are ignored; the main thread meets them again in its own time.
 */
public final class Preload implements Runnable {
    private final boolean socket;

    private Preload(boolean socket) {
        this.socket = socket;
    }

    /**
     * Starts the preloading thread; it never keeps the process alive. {@code socket}: whether it sets
     * up the unix socket support too (not when an {@link EarlyCall} is connecting already: the two
     * would only wait for each other).
     */
    public static void start(boolean socket) {
        Thread t = new Thread(new Preload(socket), "shoal-preload");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        if (socket) {
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.isOpen();
            } catch (IOException | RuntimeException e) {
                // the call will say what is wrong
            }
        }
        try {
            ControlProto.getDescriptor();
        } catch (RuntimeException | LinkageError e) {
            // likewise
        }
    }
}
