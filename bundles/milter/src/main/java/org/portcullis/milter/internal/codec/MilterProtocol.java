package org.portcullis.milter.internal.codec;

/**
 * Numbers of the milter protocol, version 6, as libmilter and Postfix speak it: the option
 * negotiation bits. Command and reply codes live with {@link MilterCommand} and {@link MilterReply}.
 */
public final class MilterProtocol {

    /** The protocol version Portcullis speaks. */
    public static final int VERSION = 6;

    /** Largest body chunk an MTA sends without a larger-size agreement (MILTER_CHUNK_SIZE). */
    public static final int CHUNK_SIZE = 65535;

    // Actions the filter may take (SMFIF_*), offered by the MTA and chosen by the filter.
    public static final int ACTION_ADD_HEADERS = 0x01;
    public static final int ACTION_CHANGE_BODY = 0x02;
    public static final int ACTION_ADD_RECIPIENT = 0x04;
    public static final int ACTION_DELETE_RECIPIENT = 0x08;
    public static final int ACTION_CHANGE_HEADERS = 0x10;
    public static final int ACTION_QUARANTINE = 0x20;
    public static final int ACTION_CHANGE_FROM = 0x40;
    public static final int ACTION_ADD_RECIPIENT_WITH_ARGS = 0x80;
    public static final int ACTION_SET_SYMBOL_LIST = 0x100;

    // Protocol steps (SMFIP_*): events the filter does not want, and replies it will not send.
    public static final int NO_CONNECT = 0x01;
    public static final int NO_HELO = 0x02;
    public static final int NO_MAIL = 0x04;
    public static final int NO_RCPT = 0x08;
    public static final int NO_BODY = 0x10;
    public static final int NO_HEADERS = 0x20;
    public static final int NO_EOH = 0x40;
    public static final int NO_REPLY_HEADER = 0x80;
    public static final int NO_UNKNOWN = 0x100;
    public static final int NO_DATA = 0x200;
    public static final int SKIP = 0x400;
    public static final int RCPT_REJECTED = 0x800;
    public static final int NO_REPLY_CONNECT = 0x1000;
    public static final int NO_REPLY_HELO = 0x2000;
    public static final int NO_REPLY_MAIL = 0x4000;
    public static final int NO_REPLY_RCPT = 0x8000;
    public static final int NO_REPLY_DATA = 0x10000;
    public static final int NO_REPLY_UNKNOWN = 0x20000;
    public static final int NO_REPLY_EOH = 0x40000;
    public static final int NO_REPLY_BODY = 0x80000;
    public static final int HEADER_LEADING_SPACE = 0x100000;
    public static final int MAX_DATA_SIZE_256K = 0x10000000;
    public static final int MAX_DATA_SIZE_1M = 0x20000000;

    // Stages a symbol (macro) list can be set for (SMFIM_*), in SETSYMLIST.
    public static final int STAGE_CONNECT = 0;
    public static final int STAGE_HELO = 1;
    public static final int STAGE_MAIL = 2;
    public static final int STAGE_RCPT = 3;
    public static final int STAGE_DATA = 4;
    public static final int STAGE_EOM = 5;
    public static final int STAGE_EOH = 6;

    private MilterProtocol() {
    }
}
