package io.shoal.net.nft;

import io.shoal.net.nft.NatMaps.Fingerprint;
import io.shoal.net.nft.NatMaps.Frontend;
import io.shoal.net.nft.NatMaps.Layout;
import io.shoal.net.sys.CommandException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Keeps one {@link NatMaps} table in one network namespace equal to a desired set of frontends, one
 * {@code nft -f} transaction per change. It remembers what it last applied: the first {@link #apply}
 * replaces the whole table (whatever was there); later ones send only the difference, written with
 * {@code create} so that a table that is missing or differs from what was applied makes the
 * transaction fail without effect, after which the whole table is rebuilt in one transaction
 * ({@link Result.Kind#RECOVERED}). {@link #verify} compares the kernel's table with what was applied
 * and rebuilds it when they differ, for changes the diffs never touch. Not thread-safe by itself:
 * callers serialise (the wrappers' methods are synchronized).
 */
public final class NatTable {
    /** What one {@link #apply} did. */
    public record Result(Kind kind, String transaction, String error) {
        public enum Kind { NONE, FULL, INCREMENTAL, RECOVERED }

        public boolean changed() {
            return kind != Kind.NONE;
        }
    }

    private final Nft nft;
    private final String netns;
    private final Layout layout;
    private List<Frontend> applied; // null: unknown, the next apply replaces the table
    private Map<String, Frontend> appliedIndex;

    public NatTable(Nft nft, String netns, Layout layout) {
        this.nft = nft;
        this.netns = netns;
        this.layout = layout;
    }

    public Layout layout() {
        return layout;
    }

    public String netns() {
        return netns;
    }

    /** Makes the table hold {@code desired}; throws {@link CommandException} when even a full rebuild fails. */
    public Result apply(Collection<Frontend> desired) {
        List<Frontend> want = List.copyOf(desired);
        Map<String, Frontend> wantIndex = NatMaps.index(want); // refuses clashes before anything is sent
        if (applied == null) {
            return full(want, Result.Kind.FULL, null);
        }
        String tx = NatMaps.diff(layout, appliedIndex, wantIndex, true);
        if (tx.isEmpty()) {
            return new Result(Result.Kind.NONE, "", null);
        }
        try {
            nft.apply(netns, tx);
        } catch (CommandException e) {
            return full(want, Result.Kind.RECOVERED, e.getMessage());
        }
        applied = want;
        appliedIndex = wantIndex;
        return new Result(Result.Kind.INCREMENTAL, tx, null);
    }

    /**
     * Reads the table back; when it is missing or differs from what was applied, rebuilds it (one
     * transaction) and returns false. True when it matched (or nothing was applied yet).
     */
    public boolean verify() {
        if (applied == null) {
            return true;
        }
        if (matches(applied)) {
            return true;
        }
        full(applied, Result.Kind.RECOVERED, "table differs");
        return false;
    }

    /** Whether the kernel's table holds exactly {@code frontends} (chains, elements, frontend rules). */
    public boolean matches(Collection<Frontend> frontends) {
        String listing;
        try {
            listing = nft.listTable(netns, layout.table());
        } catch (CommandException e) {
            return false;
        }
        Fingerprint want = NatMaps.fingerprint(layout, frontends);
        return want.equals(NatMaps.parse(listing, new HashSet<>(layout.baseChains())));
    }

    /** Deletes the table (if any); the next {@link #apply} creates it again. */
    public void remove() {
        applied = null;
        nft.deleteTable(netns, layout.table());
    }

    /** Forgets what was applied: the next {@link #apply} replaces the whole table. */
    public void reset() {
        applied = null;
    }

    private Result full(List<Frontend> want, Result.Kind kind, String error) {
        applied = null;
        String tx = NatMaps.full(layout, want);
        nft.apply(netns, tx);
        applied = want;
        appliedIndex = NatMaps.index(want);
        return new Result(kind, tx, error);
    }
}
