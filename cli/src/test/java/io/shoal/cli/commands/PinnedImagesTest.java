package io.shoal.cli.commands;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.ContainerSpec;
import io.shoal.api.InspectImageRequest;
import io.shoal.api.PullOptions;
import io.shoal.api.RemoteImage;
import io.shoal.api.ServiceSpec;
import io.shoal.api.TaskSpec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PinnedImagesTest {
    private static final String DIGEST = "sha256:" + "ab".repeat(32);
    private final List<InspectImageRequest> asked = new ArrayList<>();
    private final StringWriter err = new StringWriter();

    private PinnedImages answering(String digest) {
        return new PinnedImages(req -> {
            asked.add(req);
            return RemoteImage.newBuilder().setDigest(digest).build();
        }, new PrintWriter(err));
    }

    private static ServiceSpec spec(String image, String auth) {
        ContainerSpec.Builder c = ContainerSpec.newBuilder().setImage(image);
        if (!auth.isEmpty()) {
            c.setPullOptions(PullOptions.newBuilder().setRegistryAuth(auth));
        }
        return ServiceSpec.newBuilder().setTask(TaskSpec.newBuilder().setContainer(c)).build();
    }

    @Test
    void anImageIsPinnedToTheDigestTheRegistryGivesWithTheServicesOwnCredentials() {
        ServiceSpec pinned = answering(DIGEST).pin(spec("10.0.0.1:5000/web:1.2", "c2VjcmV0"), "unused");
        assertEquals("10.0.0.1:5000/web:1.2@" + DIGEST, pinned.getTask().getContainer().getImage());
        assertEquals("c2VjcmV0", pinned.getTask().getContainer().getPullOptions().getRegistryAuth(), "the rest of the spec is kept");
        assertEquals(1, asked.size());
        assertEquals("10.0.0.1:5000/web:1.2", asked.getFirst().getReference());
        assertEquals("c2VjcmV0", asked.getFirst().getRegistryAuth());
        assertEquals("", err.toString());
    }

    @Test
    void anImageWrittenWithADigestIsTakenAsItIsWithoutAskingTheRegistry() {
        String written = "busybox:1@" + DIGEST;
        assertEquals(written, answering("sha256:" + "cd".repeat(32)).pin(written, "", "fallback"));
        assertEquals(List.of(), asked);
    }

    @Test
    void anUnreachableRegistryLeavesTheFallbackAfterAOneLineWarning() {
        PinnedImages pins = new PinnedImages(req -> {
            throw Status.UNAVAILABLE.withDescription("connect to 10.0.0.9:5000: connection refused").asRuntimeException();
        }, new PrintWriter(err));
        assertEquals("busybox:1", pins.pin("busybox:1", "", "busybox:1"));
        assertEquals("web:2@" + DIGEST, pins.pin("web:2", "", "web:2@" + DIGEST), "a stack keeps the service's current pin");
        assertEquals("", err.toString(), "printed once the command's change was accepted, not before");
        pins.printWarnings();
        List<String> lines = err.toString().lines().toList();
        assertEquals(2, lines.size(), err.toString());
        assertTrue(lines.getFirst().startsWith("warning: image busybox:1 could not be accessed on a registry to record its digest "
                + "(connect to 10.0.0.9:5000: connection refused)"), lines.getFirst());
    }

    @Test
    void aBadReferenceOrAnUnreachableDaemonFailsTheCommandInsteadOfWarning() {
        PinnedImages refused = new PinnedImages(req -> {
            throw Status.INVALID_ARGUMENT.withDescription("invalid image reference '-1'").asRuntimeException();
        }, new PrintWriter(err));
        assertEquals(Status.Code.INVALID_ARGUMENT,
                assertThrows(StatusRuntimeException.class, () -> refused.pin("-1", "", "-1")).getStatus().getCode());
        PinnedImages unreachable = new PinnedImages(req -> {
            throw Status.UNAVAILABLE.withDescription("io exception").withCause(new IOException("connection refused")).asRuntimeException();
        }, new PrintWriter(err));
        assertThrows(StatusRuntimeException.class, () -> unreachable.pin("busybox:1", "", "busybox:1"));
        refused.printWarnings();
        unreachable.printWarnings();
        assertEquals("", err.toString(), "no warning: the error is the command's");
    }

    @Test
    void listingsShowTheTagWithoutItsDigestAndADigestAloneAsWritten() {
        assertEquals("10.0.0.1:5000/web:1.2", PinnedImages.shown("10.0.0.1:5000/web:1.2@" + DIGEST));
        assertEquals("busybox:latest", PinnedImages.shown("busybox:latest@" + DIGEST));
        assertEquals("busybox@" + DIGEST, PinnedImages.shown("busybox@" + DIGEST), "no tag: the digest is all there is");
        assertEquals("10.0.0.1:5000/web@" + DIGEST, PinnedImages.shown("10.0.0.1:5000/web@" + DIGEST));
        assertEquals("web:1", PinnedImages.shown("web:1"));
        assertEquals("not a ref@x", PinnedImages.shown("not a ref@x"));
    }
}
