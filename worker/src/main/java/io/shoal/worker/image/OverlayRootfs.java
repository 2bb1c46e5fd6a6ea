package io.shoal.worker.image;

import io.shoal.api.Task;
import io.shoal.distribution.Credentials;
import io.shoal.worker.exec.ExecException;
import io.shoal.worker.exec.runc.Rootfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A container's root: an overlayfs of its image's shared layers (read-only) with its own upper and
 * work dirs in the bundle, mounted at {@code bundle/rootfs} with mount(2) (no process per container);
 * unmounted on release.
 */
public final class OverlayRootfs implements Rootfs.Source {
    private final ImageStore images;
    /** Where each image pull's duration goes (ns; the image may have been here already). */
    private volatile LongConsumer pulls = nanos -> { };

    public OverlayRootfs(ImageStore images) {
        this.images = images;
    }

    /** Where the durations of the pulls tasks wait for go (a metric). */
    public void onPull(LongConsumer nanos) {
        this.pulls = nanos;
    }

    @Override
    public Rootfs acquire(Task task, Path bundle) throws ExecException {
        Image img;
        try {
            String auth = task.getSpec().getContainer().getPullOptions().getRegistryAuth();
            long start = System.nanoTime();
            img = images.pull(task.getSpec().getContainer().getImage(), auth.isEmpty() ? null : Credentials.fromAuth(auth));
            pulls.accept(System.nanoTime() - start);
        } catch (IllegalArgumentException e) {
            throw new ExecException(e.getMessage(), e);
        } catch (IOException e) {
            throw new ExecException(e.getMessage(), e);
        }
        Path rootfs = bundle.resolve("rootfs");
        try {
            Files.createDirectories(bundle.resolve("upper"));
            Files.createDirectories(bundle.resolve("work"));
            Files.createDirectories(rootfs);
        } catch (IOException e) {
            throw new ExecException("cannot create the container's directories: " + e.getMessage(), e);
        }
        if (!mounted(rootfs)) {
            List<String> lowers = new ArrayList<>();
            for (int i = img.layers().size() - 1; i >= 0; i--) {
                lowers.add(img.layers().get(i).toString());
            }
            if (lowers.isEmpty()) {
                throw new ExecException("image " + img.reference() + " has no layers");
            }
            try {
                Native.mountOverlay("lowerdir=" + String.join(":", lowers) + ",upperdir=" + bundle.resolve("upper")
                        + ",workdir=" + bundle.resolve("work"), rootfs);
            } catch (IOException e) {
                throw new ExecException(e.getMessage(), e);
            }
        }
        List<String> env = new ArrayList<>(img.env());
        return new Rootfs(rootfs, img.entrypoint(), img.cmd(), env, img.workingDir(), img.user(), img.healthcheck());
    }

    @Override
    public void release(Task task, Path bundle) throws ExecException {
        Path rootfs = bundle.resolve("rootfs");
        if (mounted(rootfs)) {
            try {
                Native.unmount(rootfs);
            } catch (IOException e) {
                throw new ExecException(e.getMessage(), e);
            }
        }
    }

    /**
     * Whether something is mounted on {@code p}: its device differs from its parent's. (Reading
     * {@code /proc/self/mounts} instead cost the kernel a line per mount of the host, a hundred
     * overlays and more on a busy node, twice per container.)
     */
    static boolean mounted(Path p) {
        try {
            Object dev = Files.getAttribute(p, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            return !dev.equals(Files.getAttribute(p.toAbsolutePath().getParent(), "unix:dev", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
