package io.shoal.worker.exec.runc;

import com.google.protobuf.ByteString;
import io.shoal.api.ConfigReference;
import io.shoal.api.ContainerSpec;
import io.shoal.api.Mount;
import io.shoal.api.SecretReference;
import io.shoal.api.Task;
import io.shoal.worker.exec.Dependencies;
import io.shoal.worker.exec.ExecException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The files of a container's secrets and configs, as Docker makes them: a tmpfs mounted for this
 * container alone at {@code BUNDLE/files} (memory, never the disk), one file per reference written
 * into it with the reference's owner and mode, each bind-mounted read-only at its target in the
 * container ({@code /run/secrets/TARGET} for a secret, {@code /TARGET} for a config, or the
 * absolute path given). Nothing is written before the tmpfs is known to be one. The tmpfs goes
 * once the container has exited ({@link #release}), and with the bundle in any case.
 */
final class TaskFiles {
    static final String SECRETS_DIR = "/run/secrets/";
    private static final Duration CMD_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path dir;

    TaskFiles(Path bundle) {
        this.dir = bundle.resolve("files");
    }

    /** One file to write: its content, owner, mode, and where the container sees it. */
    private record File(String name, ByteString data, String uid, String gid, int mode, String target) {}

    /**
     * Writes the files of the task's secrets and configs and returns the mounts that put them at
     * their targets; no tmpfs and no mounts for a task that reads none.
     *
     * @throws ExecException when a secret or config the task names is not on this node, or the
     *                       tmpfs cannot be made (then nothing was written)
     */
    List<Mount> write(Task task, Dependencies deps) throws ExecException {
        ContainerSpec c = task.getSpec().getContainer();
        if (c.getSecretsCount() == 0 && c.getConfigsCount() == 0) {
            return List.of();
        }
        List<File> files = new ArrayList<>();
        for (SecretReference r : c.getSecretsList()) {
            ByteString data = deps.secret(r.getSecretId()).orElseThrow(() -> new ExecException("secret "
                    + r.getSecretName() + " (" + r.getSecretId() + ") is not available on this node")).getSpec().getData();
            files.add(new File("secret-" + files.size(), data, r.getUid(), r.getGid(), r.hasMode() ? r.getMode() : 0444,
                    r.getTarget().startsWith("/") ? r.getTarget() : SECRETS_DIR + r.getTarget()));
        }
        for (ConfigReference r : c.getConfigsList()) {
            ByteString data = deps.config(r.getConfigId()).orElseThrow(() -> new ExecException("config "
                    + r.getConfigName() + " (" + r.getConfigId() + ") is not available on this node")).getSpec().getData();
            files.add(new File("config-" + files.size(), data, r.getUid(), r.getGid(), r.hasMode() ? r.getMode() : 0444,
                    r.getTarget().startsWith("/") ? r.getTarget() : "/" + r.getTarget()));
        }
        mountTmpfs(files);
        List<Mount> mounts = new ArrayList<>();
        for (File f : files) {
            Path p = dir.resolve(f.name());
            try {
                Files.deleteIfExists(p); // a prepare again after a worker restart
                Files.createFile(p, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                Files.write(p, f.data().toByteArray());
                Files.setAttribute(p, "unix:uid", (int) number(f.uid()));
                Files.setAttribute(p, "unix:gid", (int) number(f.gid()));
                Files.setPosixFilePermissions(p, permissions(f.mode()));
            } catch (IOException | UnsupportedOperationException e) {
                throw new ExecException("cannot write the file for " + f.target() + ": " + e.getMessage(), e);
            }
            mounts.add(Mount.newBuilder().setType(Mount.Type.BIND).setSource(p.toString()).setTarget(f.target())
                    .setReadOnly(true).build());
        }
        return mounts;
    }

    /** Unmounts the tmpfs (its files are gone with it) and removes its mount point. Safe to call more than once. */
    void release() throws ExecException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return; // no mount point, so no mount (a task that reads no secret or config)
        }
        if (mounted()) {
            Cmd.check(List.of("umount", dir.toString()), CMD_TIMEOUT);
        }
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new ExecException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }

    private void mountTmpfs(List<File> files) throws ExecException {
        long size = 64 << 10;
        for (File f : files) {
            size += f.data().size() + 4096;
        }
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            if (!mounted()) {
                Cmd.check(List.of("mount", "-t", "tmpfs", "-o", "nosuid,nodev,noexec,mode=0700,size=" + size,
                        "shoal-files", dir.toString()), CMD_TIMEOUT);
            }
            String type = Files.getFileStore(dir).type();
            if (!type.equals("tmpfs")) {
                throw new ExecException("refusing to write secrets: " + dir + " is on " + type + ", not a tmpfs");
            }
        } catch (IOException e) {
            throw new ExecException("cannot make the tmpfs for secrets and configs at " + dir + ": " + e.getMessage(), e);
        }
    }

    private boolean mounted() throws ExecException {
        try {
            String abs = dir.toAbsolutePath().normalize().toString().replace(" ", "\\040");
            return Files.readAllLines(Path.of("/proc/self/mounts")).stream().anyMatch(l -> l.split(" ")[1].equals(abs));
        } catch (IOException e) {
            throw new ExecException("cannot read /proc/self/mounts: " + e.getMessage(), e);
        }
    }

    private static long number(String id) throws ExecException {
        if (id.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new ExecException("'" + id + "' is not a numeric uid or gid");
        }
    }

    /** rwx bits of an octal mode (0444 -> r--r--r--). */
    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                out.add(bits[i]);
            }
        }
        return out;
    }
}
