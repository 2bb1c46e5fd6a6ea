package io.shoal.node;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.shoal.api.InspectImageRequest;
import io.shoal.api.ListImagesRequest;
import io.shoal.api.ListImagesResponse;
import io.shoal.api.LocalImage;
import io.shoal.api.LocalImagesGrpc;
import io.shoal.api.PruneImagesRequest;
import io.shoal.api.PruneImagesResponse;
import io.shoal.api.PullImageRequest;
import io.shoal.api.RemoteImage;
import io.shoal.distribution.Credentials;
import io.shoal.distribution.ImageRef;
import io.shoal.manager.rpc.Calls;
import io.shoal.worker.exec.ExecException;
import io.shoal.worker.exec.runc.RuncExecutor;
import io.shoal.worker.image.Image;
import io.shoal.worker.image.ImageStore;
import io.shoal.worker.image.PruneResult;
import io.shoal.worker.image.StoredImage;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * The node's images, for the local user only: what is stored, and pruning every image no
 * container on this node uses (running or stopped), with the layers only they needed. As
 * {@code docker image prune -a}, since a node has no "dangling" images. And what a registry holds
 * for a reference, for the Docker Engine API's distribution inspect.
 */
final class LocalImagesService extends LocalImagesGrpc.LocalImagesImplBase {
    private final ImageStore images;
    private final RuncExecutor executor;

    LocalImagesService(ImageStore images, RuncExecutor executor) {
        this.images = images;
        this.executor = executor;
    }

    private static <T> T io(IoCall<T> c) {
        try {
            return c.call();
        } catch (IOException e) {
            throw Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException();
        }
    }

    private interface IoCall<T> {
        T call() throws IOException;
    }

    private Set<String> inUse() throws IOException {
        Set<String> refs = new HashSet<>();
        try {
            for (String r : executor.imagesInUse()) {
                refs.add(r);
                try {
                    refs.add(ImageRef.parse(r).toString()); // as the store records it
                } catch (IllegalArgumentException ignored) {
                    // a reference the store never pulled keeps nothing
                }
            }
        } catch (ExecException e) {
            throw new IOException(e.getMessage(), e);
        }
        return refs;
    }

    @Override
    public void list(ListImagesRequest request, StreamObserver<ListImagesResponse> obs) {
        Calls.unary(obs, () -> {
            Set<String> used = io(this::inUse);
            ListImagesResponse.Builder b = ListImagesResponse.newBuilder();
            for (StoredImage i : images.images()) {
                b.addImages(LocalImage.newBuilder().setReference(i.reference()).setDigest(i.digest())
                        .setConfigDigest(i.configDigest()).setSizeBytes(i.size()).setLayers(i.layers().size())
                        .setInUse(used.contains(i.reference())));
            }
            return b.build();
        });
    }

    @Override
    public void pull(PullImageRequest request, StreamObserver<LocalImage> obs) {
        Calls.unary(obs, () -> {
            try {
                ImageRef.parse(request.getReference());
            } catch (IllegalArgumentException e) {
                throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
            }
            Image img = io(() -> images.pull(request.getReference()));
            StoredImage stored = images.images().stream().filter(i -> i.digest().equals(img.manifestDigest())).findFirst().orElse(null);
            LocalImage.Builder b = LocalImage.newBuilder().setReference(request.getReference()).setDigest(img.manifestDigest())
                    .setLayers(img.layers().size());
            if (stored != null) {
                b.setReference(stored.reference()).setConfigDigest(stored.configDigest()).setSizeBytes(stored.size());
            }
            return b.build();
        });
    }

    /** docker's distribution inspect: what the registry holds for the reference, with the caller's credentials if any. */
    @Override
    public void inspect(InspectImageRequest request, StreamObserver<RemoteImage> obs) {
        Calls.unary(obs, () -> {
            Credentials creds;
            try {
                ImageRef.parse(request.getReference());
                creds = request.getRegistryAuth().isEmpty() ? null : Credentials.fromAuth(request.getRegistryAuth());
            } catch (IllegalArgumentException e) {
                throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
            }
            return io(() -> images.describe(request.getReference(), creds));
        });
    }

    @Override
    public void prune(PruneImagesRequest request, StreamObserver<PruneImagesResponse> obs) {
        Calls.unary(obs, () -> {
            PruneResult r = io(() -> images.prune(inUse()));
            return PruneImagesResponse.newBuilder().addAllDeleted(r.images()).setLayers(r.layers())
                    .setReclaimedBytes(r.bytes()).build();
        });
    }
}
