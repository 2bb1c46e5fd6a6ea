package io.shoal.chaos.history;

/**
 * One fault the nemesis injected, on the history's clock.
 *
 * @param kind     what it was ({@code kill-leader}, {@code pause-follower}, {@code partition-majority}, ...)
 * @param targets  the hosts it hit, e.g. {@code h1} or {@code h1|h2,h3}
 * @param startNs  when it took hold
 * @param healedNs when it was healed (the killed daemon started, the paused one continued, the rules removed)
 */
public record Fault(String kind, String targets, long startNs, long healedNs) {

    @Override
    public String toString() {
        return String.format("%s %s [%.3f s .. %.3f s]", kind, targets, startNs / 1e9, healedNs / 1e9);
    }
}
