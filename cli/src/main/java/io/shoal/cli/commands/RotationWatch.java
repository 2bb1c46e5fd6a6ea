package io.shoal.cli.commands;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.GetClusterInfoRequest;
import io.shoal.api.GetRootRotationRequest;
import io.shoal.api.RootRotationStatus;

import java.time.Duration;
import java.util.Set;

/**
 * {@code shoal ca --rotate} watching its rotation: a line {@code rotated N/M nodes} whenever the
 * count changes, until the cluster's root is the new one; then the new root certificate. A leader
 * failing over meanwhile is ridden out (the new leader carries the rotation on from the store).
 */
final class RotationWatch {
    private static final long POLL_MS = 500;
    /** How long the managers may be unreachable (an election) before the watch gives up. */
    private static final Duration OUTAGE = Duration.ofSeconds(60);
    private static final Set<Status.Code> TRANSIENT = Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);

    private RotationWatch() {}

    static int await(CaCommand cmd, String target, boolean quiet) throws InterruptedException {
        String last = "";
        long lastAnswer = System.nanoTime();
        while (true) {
            RootRotationStatus s;
            try {
                s = cmd.security().getRootRotation(GetRootRotationRequest.getDefaultInstance());
                lastAnswer = System.nanoTime();
            } catch (StatusRuntimeException e) {
                if (!TRANSIENT.contains(e.getStatus().getCode()) || System.nanoTime() - lastAnswer > OUTAGE.toNanos()) {
                    throw e;
                }
                Thread.sleep(POLL_MS);
                continue;
            }
            boolean done = s.getCurrentCaDigest().equals(target);
            String line = "rotated " + (done ? s.getTotal() : s.getRotated()) + "/" + s.getTotal() + " nodes";
            if (!quiet && !line.equals(last)) {
                cmd.out().println(line);
                cmd.out().flush();
                last = line;
            }
            if (done) {
                if (!quiet) {
                    cmd.out().printf("Root CA rotation complete: every node holds a certificate under the new root "
                            + "(sha256:%s); the old root is no longer trusted and the join tokens changed.%n", target);
                }
                cmd.out().print(cmd.control().getClusterInfo(GetClusterInfoRequest.getDefaultInstance()).getCaCertPem());
                cmd.out().flush(); // print does not flush an autoflush PrintWriter
                return 0;
            }
            if (!s.getRotating()) {
                cmd.err().println("Error: the rotation to root sha256:" + target + " is no longer under way and the cluster's root is "
                        + "sha256:" + s.getCurrentCaDigest() + ": run shoal ca --rotate again");
                return 1;
            }
            Thread.sleep(POLL_MS);
        }
    }
}
