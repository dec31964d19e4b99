package org.portcullis.milter.internal.session;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import org.portcullis.milter.internal.codec.MilterCommand;
import org.portcullis.milter.internal.codec.MilterProtocol;
import org.portcullis.milter.internal.codec.MilterProtocolException;
import org.portcullis.milter.internal.codec.MilterReply;
import org.portcullis.milter.internal.codec.ReplyEncoder;
import org.portcullis.policy.MessageRecord;
import org.portcullis.policy.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One milter connection: checks each command against {@link SessionState}, keeps the
 * {@link Transaction}, asks the {@link MilterFilter}, and writes each burst of replies with one
 * write. Any protocol error, a stall or an exception closes this connection only, with one log
 * line; the spool is deleted on every path.
 */
public final class MilterSessionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(MilterSessionHandler.class);

    private final SessionSettings settings;
    private final MilterFilter filter;
    private final SessionState state = new SessionState();
    private final Transaction tx;
    private Negotiation negotiation;
    private boolean deciding;
    private long decision;
    private ScheduledFuture<?> progress;

    public MilterSessionHandler(SessionSettings settings, MilterFilter filter) {
        this.settings = settings;
        this.filter = filter;
        this.tx = new Transaction(settings.spoolDirectory(), settings.spoolMemoryLimit(), settings.limits());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws IOException {
        MilterCommand command = (MilterCommand) msg;
        try {
            handle(ctx, command);
        } finally {
            if (command instanceof MilterCommand.Body b) {
                b.chunk().release();
            } else if (command instanceof MilterCommand.EndOfMessage e) {
                e.chunk().release();
            }
        }
    }

    private void handle(ChannelHandlerContext ctx, MilterCommand command) throws IOException {
        if (deciding) {
            // The MTA gave up waiting (abort or quit); anything else is out of order.
            if (!(command instanceof MilterCommand.Abort || command instanceof MilterCommand.Quit)) {
                throw new MilterProtocolException(
                        MilterCommand.name(command.code()) + " arrived while the end-of-message reply was pending");
            }
            stopDeciding();
        }
        state.accept(command);
        List<MilterReply> replies = List.of();
        if (command instanceof MilterCommand.OptionNegotiation o) {
            negotiation = Negotiation.agree(o, settings.actions(), settings.protocol());
            if (negotiation.missingActions() != 0) {
                LOG.warn("MTA {} does not offer milter actions 0x{}; verdicts needing them are not carried out",
                        ctx.channel().remoteAddress(), Integer.toHexString(negotiation.missingActions()));
            }
            replies = List.of(negotiation.reply());
        } else if (command instanceof MilterCommand.Macros m) {
            tx.macros(m.forCommand(), m.values());
        } else if (command instanceof MilterCommand.Connect c) {
            tx.connect(c);
        } else if (command instanceof MilterCommand.Helo h) {
            tx.helo(h.name());
        } else if (command instanceof MilterCommand.Mail m) {
            tx.startMessage(m.args().get(0));
            Optional<Verdict> verdict = filter.mail(tx);
            verdict.ifPresent(v -> log("mail", List.of(), v, 0));
            replies = replies(verdict);
        } else if (command instanceof MilterCommand.Rcpt r) {
            String rcpt = r.args().get(0);
            Optional<Verdict> verdict = filter.rcpt(tx, rcpt);
            if (verdict.isPresent() && !verdict.get().reply().isEmpty()) {
                log("rcpt", List.of(rcpt), verdict.get(), 0); // this recipient is refused, the message goes on
            } else {
                tx.addRecipient(rcpt);
            }
            replies = replies(verdict);
        } else if (command instanceof MilterCommand.Header h) {
            tx.header(h.name(), h.value(), negotiation.has(MilterProtocol.HEADER_LEADING_SPACE));
        } else if (command instanceof MilterCommand.EndOfHeaders) {
            tx.endOfHeaders();
        } else if (command instanceof MilterCommand.Body b) {
            tx.body(b.chunk());
        } else if (command instanceof MilterCommand.EndOfMessage e) {
            tx.body(e.chunk());
            decide(ctx);
            return;
        } else if (command instanceof MilterCommand.Abort) {
            tx.endMessage();
        } else if (command instanceof MilterCommand.QuitNewConnection) {
            tx.endClient();
        } else if (command instanceof MilterCommand.Quit) {
            ctx.close();
            return;
        }
        if (negotiation != null && negotiation.expectsReply(command) && !(command instanceof MilterCommand.OptionNegotiation)) {
            replies = replies.isEmpty() ? List.of(MilterReply.Action.CONTINUE) : replies;
            if (endsMessage(command, replies)) {
                state.endMessage();
                tx.endMessage();
            }
        }
        if (!replies.isEmpty()) {
            send(ctx, replies);
        }
    }

    private void decide(ChannelHandlerContext ctx) {
        long start = System.nanoTime();
        String refusal = tx.refusal();
        if (refusal != null) {
            Verdict tooLarge = new Verdict.Reject(refusal);
            log("end", tx.recipients(), tooLarge, 0);
            tx.endMessage();
            send(ctx, VerdictReplies.of(tooLarge, List.of()));
            return;
        }
        deciding = true;
        long id = ++decision;
        long every = settings.progressInterval().toMillis();
        progress = ctx.executor().scheduleAtFixedRate(() -> send(ctx, List.of(MilterReply.Action.PROGRESS)),
                every, every, TimeUnit.MILLISECONDS);
        filter.endOfMessage(tx).whenComplete((verdict, failure) -> ctx.executor().execute(() -> {
            // the filter's own exception, not the future's wrapper around it
            Throwable error = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (!deciding || id != decision) {
                return; // aborted or closed meanwhile: this verdict is for a message that is gone
            }
            stopDeciding();
            List<MilterReply> replies = error == null ? VerdictReplies.of(verdict, tx.headers(), tx.trace().held())
                    : List.of(MilterReply.Action.TEMPFAIL);
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (error != null) {
                LOG.error("Message {} from {}: deciding failed ({}); answered tempfail so the sender retries",
                        queueId().isEmpty() ? "NOQUEUE" : queueId(), ctx.channel().remoteAddress(), error.toString());
                tx.trace().error("deciding failed: " + error);
                log("end", tx.recipients(), null, millis);
            } else {
                log("end", tx.recipients(), verdict, millis);
            }
            tx.endMessage(); // the spool is gone before the MTA learns the verdict
            send(ctx, replies);
        }));
    }

    /** The mail log's record of the message under way; {@code verdict} null: deciding failed (answered tempfail). */
    private void log(String stage, List<String> recipients, Verdict verdict, long millis) {
        MilterCommand.Connect c = tx.client();
        String sender = Transaction.unbracket(tx.sender());
        MessageTrace t = "end".equals(stage) ? tx.trace() : new MessageTrace();
        try {
            settings.mailLog().accept(new MessageRecord(java.time.Instant.now(), queueId(), stage, c == null ? "" : c.hostname(),
                    c == null ? "" : c.address(), sender, recipients.stream().map(Transaction::unbracket).toList(), tx.size(),
                    tx.messageId(), t.list(), t.scanners(), t.score(), t.error(), verdict == null ? Verdict.Kind.TEMPFAIL : verdict.kind(),
                    verdict == null ? "tempfail" : MailLog.reply(verdict, t.held()), millis));
        } catch (RuntimeException e) {
            LOG.warn("Mail log record for {} not written: {}", queueId(), e.toString());
        }
    }

    private String queueId() {
        return tx.macro("i");
    }

    private List<MilterReply> replies(java.util.Optional<Verdict> verdict) {
        return verdict.map(v -> VerdictReplies.of(v, tx.headers())).orElse(List.of());
    }

    private void stopDeciding() {
        deciding = false;
        if (progress != null) {
            progress.cancel(false);
            progress = null;
        }
    }

    /** A final action at MAIL or later (but not a per-recipient one at RCPT) ends the message. */
    private static boolean endsMessage(MilterCommand command, List<MilterReply> replies) {
        MilterReply last = replies.get(replies.size() - 1);
        boolean perRecipient = command instanceof MilterCommand.Rcpt
                && (last == MilterReply.Action.REJECT || last == MilterReply.Action.TEMPFAIL || last instanceof MilterReply.ReplyCode);
        boolean terminal = last != MilterReply.Action.CONTINUE && last != MilterReply.Action.SKIP;
        return terminal && !perRecipient && isMessageCommand(command);
    }

    private static boolean isMessageCommand(MilterCommand command) {
        return switch (command.code()) {
            case 'M', 'R', 'T', 'L', 'N', 'B' -> true;
            default -> false;
        };
    }

    private void send(ChannelHandlerContext ctx, List<MilterReply> replies) {
        ByteBuf out = ctx.alloc().buffer();
        for (int i = 0; i < replies.size(); i++) {
            MilterReply reply = replies.get(i);
            if (allowed(ctx, reply)) {
                ReplyEncoder.encode(reply, out);
            }
            if (isFinal(reply) && i < replies.size() - 1) {
                // The MTA reads one final response per command; more would answer its next command.
                LOG.error("Bug: replies {} after the final reply '{}' to {} dropped", replies.subList(i + 1, replies.size()),
                        reply.code(), ctx.channel().remoteAddress());
                break;
            }
        }
        ctx.writeAndFlush(out);
    }

    /** A response that answers the command (as opposed to a modification or progress). */
    static boolean isFinal(MilterReply reply) {
        return reply instanceof MilterReply.ReplyCode || reply instanceof MilterReply.Negotiate
                || (reply instanceof MilterReply.Action a && a != MilterReply.Action.PROGRESS);
    }

    private boolean allowed(ChannelHandlerContext ctx, MilterReply reply) {
        int needed = neededAction(reply);
        if (needed == 0 || negotiation.may(needed)) {
            return true;
        }
        LOG.warn("Reply {} to {} dropped: the MTA did not grant milter action 0x{}", reply.code(),
                ctx.channel().remoteAddress(), Integer.toHexString(needed));
        return false;
    }

    private static int neededAction(MilterReply reply) {
        return switch (reply.code()) {
            case 'h' -> MilterProtocol.ACTION_ADD_HEADERS;
            case 'i', 'm' -> MilterProtocol.ACTION_CHANGE_HEADERS;
            case 'q' -> MilterProtocol.ACTION_QUARANTINE;
            case 'b' -> MilterProtocol.ACTION_CHANGE_BODY;
            case '+' -> MilterProtocol.ACTION_ADD_RECIPIENT;
            case '2' -> MilterProtocol.ACTION_ADD_RECIPIENT_WITH_ARGS;
            case '-' -> MilterProtocol.ACTION_DELETE_RECIPIENT;
            case 'e' -> MilterProtocol.ACTION_CHANGE_FROM;
            default -> 0;
        };
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent && !deciding) {
            LOG.warn("Milter connection from {} closed: the MTA sent nothing for {} s", ctx.channel().remoteAddress(),
                    settings.idleTimeout().toSeconds());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable reason = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        LOG.warn("Milter connection from {} closed: {}", ctx.channel().remoteAddress(), reason.getMessage());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stopDeciding();
        tx.close();
        super.channelInactive(ctx);
    }
}
