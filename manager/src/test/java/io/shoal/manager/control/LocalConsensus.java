package io.shoal.manager.control;

import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.StoreBatch;
import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.LocalProposer;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** One manager that leads alone, applying to its store at once; keeps every entry it committed, as a log would. */
final class LocalConsensus implements Consensus {
    final List<StoreBatch> log = new CopyOnWriteArrayList<>();
    private final ClusterStore store;
    private final LocalProposer proposer;

    LocalConsensus(ClusterStore store) {
        this.store = store;
        this.proposer = new LocalProposer(store, () -> 1000);
    }

    @Override
    public CompletableFuture<ApplyResult> propose(StoreBatch batch) {
        log.add(batch);
        return proposer.propose(batch);
    }

    @Override public String selfId() { return "m1"; }
    @Override public boolean isLeader() { return true; }
    @Override public Optional<String> leaderId() { return Optional.of("m1"); }
    @Override public long appliedIndex() { return store.appliedIndex(); }
    @Override public void barrier(Duration timeout) { }
    @Override public List<Member> members() { return List.of(new Member("m1", "127.0.0.1:1", true, true)); }
    @Override public void addVoter(String id, String raftAddress, Duration timeout) { }
    @Override public void removeVoter(String id, Duration timeout) { }
    @Override public void onLeadershipChange(Consumer<Boolean> listener) { }
    @Override public CompletableFuture<Void> nextLeaderChange() { return new CompletableFuture<>(); }
    @Override public void close() { }
}
