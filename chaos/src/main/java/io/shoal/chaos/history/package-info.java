/**
 * What a chaos run recorded: every client operation with its invocation and completion times and its
 * outcome ({@link io.shoal.chaos.history.Op}), and every fault the nemesis injected and healed
 * ({@link io.shoal.chaos.history.Fault}), on one clock ({@link io.shoal.chaos.history.History}).
 */
package io.shoal.chaos.history;
