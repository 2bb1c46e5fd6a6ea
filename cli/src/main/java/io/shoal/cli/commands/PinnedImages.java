package io.shoal.cli.commands;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.ContainerSpec;
import io.shoal.api.InspectImageRequest;
import io.shoal.api.RemoteImage;
import io.shoal.api.ServiceSpec;
import io.shoal.distribution.ImageRef;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A service's image pinned to the digest its tag names when the service is created or its image
 * changes, as Docker's swarm mode does: {@code IMAGE:TAG} becomes {@code IMAGE:TAG@sha256:...},
 * so every task of the service, on every node and at any later time, runs the same image even
 * after the tag moves in the registry. The digest comes from the registry through the daemon this
 * client talks to (its registry settings, and the service's own credentials when
 * {@code --with-registry-auth} gave some). When the registry cannot be asked, the image stays as
 * written and a warning says that each node resolves the tag on its own. Listings show the tag
 * without the digest, as Docker's do.
 */
final class PinnedImages {
    /** asks the registry, through the daemon, what a reference names (tests give their own) */
    private final Function<InspectImageRequest, RemoteImage> registry;
    private final PrintWriter err;
    private final List<String> warnings = new ArrayList<>();

    PinnedImages(Function<InspectImageRequest, RemoteImage> registry, PrintWriter err) {
        this.registry = registry;
        this.err = err;
    }

    /** Through the daemon {@code cmd} talks to. */
    static PinnedImages of(ClientCommand cmd) {
        return new PinnedImages(req -> ImageCommand.stub(cmd, 30).inspect(req), cmd.err());
    }

    /**
     * The image pinned to its digest; an image written with a digest is taken as it is. When the
     * registry cannot be asked: {@code fallback}, and a one-line warning for {@link #printWarnings}.
     * A reference the daemon refuses, or a daemon that cannot be reached, fails the command.
     */
    String pin(String image, String registryAuth, String fallback) {
        if (image.contains("@")) {
            return image;
        }
        try {
            RemoteImage r = registry.apply(InspectImageRequest.newBuilder().setReference(image).setRegistryAuth(registryAuth).build());
            return image + "@" + r.getDigest();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT || e.getStatus().getCause() != null) {
                // a bad reference, or the daemon itself unreachable (a status from the client's own
                // transport carries its cause; one the daemon sent never does): the command's error
                throw e;
            }
            String why = e.getStatus().getDescription() != null ? e.getStatus().getDescription() : e.getStatus().getCode().toString();
            warnings.add("warning: image " + image + " could not be accessed on a registry to record its digest (" + why
                    + "); each node will access " + image + " independently, possibly running different versions of the image");
            return fallback;
        }
    }

    /** {@code spec} with its image pinned (the registry asked with the spec's own credentials, if any). */
    ServiceSpec pin(ServiceSpec spec, String fallback) {
        ContainerSpec c = spec.getTask().getContainer();
        String pinned = pin(c.getImage(), c.getPullOptions().getRegistryAuth(), fallback);
        ServiceSpec.Builder b = spec.toBuilder();
        b.getTaskBuilder().getContainerBuilder().setImage(pinned);
        return b.build();
    }

    /**
     * Prints the warnings of the images that could not be pinned: once the command's change was
     * accepted, as Docker prints the warnings of its answer (a refused command prints only its error).
     */
    void printWarnings() {
        warnings.forEach(err::println);
        warnings.clear();
        err.flush();
    }

    /** The image as listings show it: without its digest when it has a tag ({@code IMAGE:TAG}), else as written. */
    static String shown(String image) {
        int at = image.indexOf('@');
        if (at < 0) {
            return image;
        }
        try {
            return ImageRef.parse(image).tag().isEmpty() ? image : image.substring(0, at);
        } catch (IllegalArgumentException e) {
            return image;
        }
    }
}
