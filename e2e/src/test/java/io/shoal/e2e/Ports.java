package io.shoal.e2e;

import java.io.IOException;
import java.net.ServerSocket;

/** Free loopback ports for daemons the benchmarks start. */
final class Ports {
    private Ports() {}

    /** A port P such that P and P + 1 (a manager's cluster and Raft ports) are both free now. */
    static int freePair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p;
            try (ServerSocket s = new ServerSocket(0)) {
                p = s.getLocalPort();
            }
            if (p < 65000) {
                try (ServerSocket s2 = new ServerSocket(p + 1)) {
                    return p;
                } catch (IOException busy) {
                    // try another
                }
            }
        }
        throw new IOException("no free pair of ports");
    }
}
