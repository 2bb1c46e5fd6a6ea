package io.shoal.net.dns;

import java.net.Inet4Address;
import java.util.List;

/** The outcome of {@link Records#resolve}: answer, deny, or forward. */
public sealed interface Resolution {

    /** The name is ours and these IPv4 addresses answer it for the asker (never empty). */
    record Found(List<Inet4Address> addresses) implements Resolution {
        public Found {
            addresses = List.copyOf(addresses);
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("Found needs at least one address; use Hidden");
            }
        }
    }

    /** The name is ours but not on any network the asker shares, or has no address there: NXDOMAIN. */
    record Hidden() implements Resolution {}

    /** Not one of our names: forward the query upstream. */
    record NotOurs() implements Resolution {}

    Hidden HIDDEN = new Hidden();
    NotOurs NOT_OURS = new NotOurs();
}
