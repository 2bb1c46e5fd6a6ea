package io.shoal.cli.commands;

import io.shoal.api.ListImagesRequest;
import io.shoal.api.LocalImage;
import io.shoal.api.LocalImagesGrpc;
import io.shoal.api.PruneImagesRequest;
import io.shoal.api.PruneImagesResponse;
import io.shoal.api.PullImageRequest;
import io.shoal.cli.output.Json;
import io.shoal.cli.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The images of the node whose daemon this talks to (images are per node, not per cluster). */
@Command(name = "image", mixinStandardHelpOptions = true,
        description = "Manage the images stored on this node.",
        subcommands = {ImageCommand.Ls.class, ImageCommand.Pull.class, ImageCommand.Prune.class})
public final class ImageCommand implements Runnable {
    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a subcommand is required: ls, pull or prune");
    }

    static LocalImagesGrpc.LocalImagesBlockingStub stub(ClientCommand c, int seconds) {
        return LocalImagesGrpc.newBlockingStub(c.channel()).withDeadlineAfter(seconds, TimeUnit.SECONDS);
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.2f%s" : "%.1f%s", v, units[u]);
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the images this node holds.")
    public static final class Ls extends ClientCommand {
        @Option(names = {"-q", "--quiet"}, description = "Only show image digests.") boolean quiet;
        @Option(names = "--format", description = "table (default) or json.") String format = "table";

        @Override
        protected int execute() {
            if (!format.equals("json") && !format.equals("table")) {
                throw usage("--format: '" + format + "' is not supported; use json or table");
            }
            List<LocalImage> images = stub(this, 30).list(ListImagesRequest.getDefaultInstance()).getImagesList();
            if (quiet) {
                images.forEach(i -> out().println(i.getDigest()));
            } else if (format.equals("json")) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (LocalImage i : images) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("Reference", i.getReference());
                    m.put("Digest", i.getDigest());
                    m.put("ID", i.getConfigDigest());
                    m.put("Size", i.getSizeBytes());
                    m.put("Layers", i.getLayers());
                    m.put("InUse", i.getInUse());
                    rows.add(m);
                }
                Json.print(out(), rows);
            } else {
                Table t = new Table("REFERENCE", "IMAGE ID", "LAYERS", "SIZE", "IN USE");
                for (LocalImage i : images) {
                    String id = i.getConfigDigest().replace("sha256:", "");
                    t.row(i.getReference(), id.substring(0, Math.min(12, id.length())), String.valueOf(i.getLayers()),
                            size(i.getSizeBytes()), i.getInUse() ? "yes" : "");
                }
                t.print(out());
            }
            return 0;
        }
    }

    @Command(name = "pull", mixinStandardHelpOptions = true,
            description = "Pull an image into this node's store (tasks pull what they need themselves).")
    public static final class Pull extends ClientCommand {
        @CommandLine.Parameters(paramLabel = "IMAGE") String reference;

        @Override
        protected int execute() {
            LocalImage i = stub(this, 600).pull(PullImageRequest.newBuilder().setReference(reference).build());
            out().println(i.getReference() + " " + i.getDigest() + " (" + i.getLayers() + " layers, " + size(i.getSizeBytes()) + ")");
            return 0;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Remove every image no container on this node uses, and the layers only they needed.")
    public static final class Prune extends ClientCommand {
        @Option(names = {"-f", "--force"}, description = "Do not ask (it never asks: there is no prompt; kept for Docker's muscle memory).")
        boolean force;

        @Override
        protected int execute() {
            PruneImagesResponse r = stub(this, 120).prune(PruneImagesRequest.getDefaultInstance());
            if (!r.getDeletedList().isEmpty()) {
                out().println("Deleted Images:");
                r.getDeletedList().forEach(d -> out().println("deleted: " + d));
                out().println();
            }
            out().println("Total reclaimed space: " + size(r.getReclaimedBytes()));
            return 0;
        }
    }
}
