package org.portcullis.milter.internal.codec;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import io.netty.buffer.ByteBuf;

/**
 * Writes replies as frames. The session encodes a whole burst of replies (headers, then the
 * verdict) into one buffer and writes it once: split writes make the MTA wait for delayed ACKs.
 */
public final class ReplyEncoder {

    private ReplyEncoder() {
    }

    /** Appends one frame for {@code reply} to {@code out}. */
    public static void encode(MilterReply reply, ByteBuf out) {
        int lengthAt = out.writerIndex();
        out.writeInt(0);
        out.writeByte(reply.code());
        payload(reply, out);
        out.setInt(lengthAt, out.writerIndex() - lengthAt - 4);
    }

    private static void payload(MilterReply reply, ByteBuf out) {
        if (reply instanceof MilterReply.Negotiate n) {
            out.writeInt(n.version()).writeInt(n.actions()).writeInt(n.protocol());
            for (Map.Entry<Integer, String> e : new TreeMap<>(n.macrosByStage()).entrySet()) {
                string(out.writeInt(e.getKey()), e.getValue());
            }
        } else if (reply instanceof MilterReply.ReplyCode r) {
            string(out, r.text());
        } else if (reply instanceof MilterReply.AddHeader h) {
            string(string(out, h.name()), h.value());
        } else if (reply instanceof MilterReply.InsertHeader h) {
            string(string(out.writeInt(h.index()), h.name()), h.value());
        } else if (reply instanceof MilterReply.ChangeHeader h) {
            string(string(out.writeInt(h.index()), h.name()), h.value());
        } else if (reply instanceof MilterReply.AddRecipient r) {
            string(out, r.recipient());
        } else if (reply instanceof MilterReply.AddRecipientWithArgs r) {
            string(string(out, r.recipient()), r.args());
        } else if (reply instanceof MilterReply.DeleteRecipient r) {
            string(out, r.recipient());
        } else if (reply instanceof MilterReply.ChangeFrom f) {
            string(out, f.sender());
            if (!f.args().isEmpty()) {
                string(out, f.args());
            }
        } else if (reply instanceof MilterReply.Quarantine q) {
            string(out, q.reason());
        } else if (reply instanceof MilterReply.ReplaceBody b) {
            out.writeBytes(b.chunk());
        }
        // MilterReply.Action: the code is the whole reply
    }

    private static ByteBuf string(ByteBuf out, String s) {
        out.writeCharSequence(s, StandardCharsets.ISO_8859_1);
        return out.writeByte(0);
    }
}
