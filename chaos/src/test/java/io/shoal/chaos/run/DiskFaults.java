package io.shoal.chaos.run;

import io.grpc.StatusRuntimeException;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.ServiceSpec;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Storage faults of a manager, on a lab whose managers' data dirs are small filesystems of their own
 * ({@link ChaosLab#DATA_SIZE}, loop-mounted ext4 made by {@code lab.sh up}):
 * <ul>
 *   <li>{@link #fill}: a filler file takes every free block of the host's data filesystem, then
 *   ballast writes (services with a 48 KiB label) make the managers' Raft logs grow past the
 *   space their open segment had preallocated, so the filled manager's next log write fails;
 *   {@link #heal} removes the filler;</li>
 *   <li>{@link #tear}: with the daemon killed, the last entry of its open Raft log segment is cut
 *   in the middle, as a crash in the middle of a write leaves it.</li>
 * </ul>
 */
final class DiskFaults {
    static final String BALLAST_PREFIX = "chaos-ballast-";
    static final String FILLER = "chaos-filler";
    /** Ratis preallocates an open segment 1 MB at a time: 1.5 MB of entries cross into new blocks */
    private static final int BALLAST_WRITES = 32;
    private static final int BALLAST_BYTES = 48 * 1024;

    private final ChaosLab lab;
    private final Managers managers;
    private final Random random;
    private int ballast;

    DiskFaults(ChaosLab lab, Managers managers, Random random) {
        this.lab = lab;
        this.managers = managers;
        this.random = random;
    }

    private Path filler(String host) {
        return lab.dir.resolve(host).resolve("data").resolve(FILLER);
    }

    /** Fills HOST's data filesystem to its last block, then writes ballast through VIA. */
    void fill(String host, String via) {
        if (!lab.hasDataFs(host)) {
            throw new AssertionError(host + " has no data filesystem of its own: make the lab with ChaosLab.DATA_SIZE");
        }
        // dd stops at ENOSPC (exit code 1): the filesystem is then full
        ChaosLab.run(List.of("dd", "if=/dev/zero", "of=" + filler(host), "bs=4k"), Duration.ofMinutes(2), Map.of());
        ChaosLab.Result df = ChaosLab.run(List.of("df", "--output=avail", "-B1", lab.dir.resolve(host).resolve("data").toString()),
                Duration.ofSeconds(30), Map.of());
        System.out.printf("disk-full %s: %s bytes left after the filler%n", host, df.out().strip().replaceAll(".*\\s", ""));
        String label = "x".repeat(BALLAST_BYTES);
        for (int i = 0; i < BALLAST_WRITES; i++) {
            String name = BALLAST_PREFIX + ++ballast;
            ServiceSpec spec = Specs.idle(name);
            spec = spec.toBuilder().setAnnotations(spec.getAnnotations().toBuilder().putLabels("chaos.ballast", label)).build();
            try {
                managers.control(via, 5_000).createService(CreateServiceRequest.newBuilder().setSpec(spec).build());
            } catch (StatusRuntimeException e) {
                // a write the filled leader could not log: indeterminate, and ballast either way
            }
        }
    }

    /** Removes the filler of HOST (if any). */
    void heal(String host) {
        try {
            Files.deleteIfExists(filler(host));
        } catch (IOException e) {
            throw new AssertionError("cannot remove " + filler(host) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Cuts the last entry of HOST's open Raft log segment (the daemon must be stopped): the
     * preallocated zeros after the entries and 1-16 bytes of the last entry go. Returns the bytes
     * removed from the entries.
     */
    int tear(String host) {
        Path segment = openSegment(host);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            long end = dataEnd(f);
            int cut = 1 + random.nextInt(16);
            if (end <= cut + 8) {
                throw new AssertionError("the open segment " + segment + " holds too little to tear (" + end + " bytes)");
            }
            f.setLength(end - cut);
            return cut;
        } catch (IOException e) {
            throw new AssertionError("cannot tear " + segment + ": " + e.getMessage(), e);
        }
    }

    private Path openSegment(String host) {
        Path raft = lab.dir.resolve(host).resolve("data").resolve("raft");
        try (Stream<Path> s = Files.walk(raft, 3)) {
            List<Path> open = s.filter(p -> p.getFileName().toString().startsWith("log_inprogress_")).toList();
            if (open.size() != 1) {
                throw new AssertionError("expected one open Raft log segment under " + raft + ", found " + open);
            }
            return open.getFirst();
        } catch (IOException e) {
            throw new AssertionError("cannot list " + raft + ": " + e.getMessage(), e);
        }
    }

    /** Where the entries end: Ratis preallocates an open segment with zeros after them. */
    private static long dataEnd(RandomAccessFile f) throws IOException {
        long end = f.length();
        byte[] block = new byte[4096];
        while (end > 0) {
            int n = (int) Math.min(block.length, end);
            f.seek(end - n);
            f.readFully(block, 0, n);
            int i = n;
            while (i > 0 && block[i - 1] == 0) {
                i--;
            }
            if (i > 0) {
                return end - n + i;
            }
            end -= n;
        }
        return 0;
    }
}
