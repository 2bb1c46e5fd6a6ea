/** The real executor: each task's container under conmon, which runs runc or crun. */
package io.shoal.worker.exec.runc;
