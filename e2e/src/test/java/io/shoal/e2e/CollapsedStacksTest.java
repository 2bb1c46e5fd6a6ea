package io.shoal.e2e;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A manager's collapsed stacks summed by what its threads do, and the kernel's share. */
class CollapsedStacksTest {
    @Test
    void stacksAreSummedByTheRoleOfTheirThreadAndTheKernelIsCountedApart() {
        CollapsedStacks s = CollapsedStacks.parse(List.of(
                "[control-loops tid=101];java/lang/Thread.run;io/shoal/manager/orchestrator/LoopRunner.pass 50",
                "[abc@group-40F33B8B4EE8-StateMachineUpdater tid=7];io/shoal/manager/store/ClusterStore.apply 30",
                "[abc@group-40F33B8B4EE8-SegmentedRaftLogWorker tid=8];sun/nio/ch/FileChannelImpl.force;do_syscall_64_[k];fdatasync_[k] 5",
                "[abc-server-thread1 tid=9];org/apache/ratis/Foo.bar 2",
                "[grpc-default-worker-ELG-3-1 tid=11];io/grpc/netty/shaded/io/netty/Foo.write;entry_SYSCALL_64_after_hwframe_[k];tcp_sendmsg_[k] 6",
                "[grpc-default-worker-ELG-3-1 tid=11];io/grpc/netty/shaded/io/netty/Foo.read 4",
                "[ForkJoinPool-1-worker-2 tid=12];io/shoal/manager/dispatcher/AssignmentStreams.follow 1",
                "[VM Thread tid=3];SerialFullGC::invoke_at_safepoint 2",
                "",
                "[someone tid=1];x 0"));
        assertEquals(100, s.samples());
        assertEquals(11, s.kernel(), "the stacks with a kernel frame");
        assertEquals(new CollapsedStacks.Share(50, 0), s.share(CollapsedStacks.Role.LOOPS));
        assertEquals(new CollapsedStacks.Share(30, 0), s.share(CollapsedStacks.Role.APPLY));
        assertEquals(new CollapsedStacks.Share(5, 5), s.share(CollapsedStacks.Role.RAFT_LOG));
        assertEquals(new CollapsedStacks.Share(2, 0), s.share(CollapsedStacks.Role.RAFT));
        assertEquals(new CollapsedStacks.Share(10, 6), s.share(CollapsedStacks.Role.TRANSPORT));
        assertEquals(new CollapsedStacks.Share(1, 0), s.share(CollapsedStacks.Role.VIRTUAL));
        assertEquals(new CollapsedStacks.Share(2, 0), s.share(CollapsedStacks.Role.GC));
        assertEquals("100 samples: control loops 50%, applying entries 30%, gRPC event loops 10%, Raft log 5%, other Raft threads 2%,"
                + " GC and VM 2%, virtual threads 1%; in the kernel 11%", s.summary());
    }

    @Test
    void anEmptyProfileSaysSo() {
        assertEquals("no samples", CollapsedStacks.parse(List.of()).summary());
    }
}
