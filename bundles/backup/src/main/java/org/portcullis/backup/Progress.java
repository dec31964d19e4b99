package org.portcullis.backup;

/**
 * How far a long backup operation is, as shown in the shell and in a REST job's status.
 *
 * @param phase {@code writing}, {@code verifying}, {@code restoring} or {@code done}
 * @param part the part being handled (empty when none)
 * @param partsDone parts finished in this phase
 * @param partsTotal parts in all, or -1 while unknown (a backup being written)
 * @param bytesDone payload bytes handled in this phase
 * @param bytesTotal payload bytes in all, or -1 while unknown
 */
public record Progress(String phase, String part, int partsDone, int partsTotal, long bytesDone, long bytesTotal) {
}
