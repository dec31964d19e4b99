package org.portcullis.milter.internal.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;

/** Parses the payload of one frame into a {@link MilterCommand}. Strict: a malformed payload is an error. */
final class CommandParser {

    private CommandParser() {
    }

    /**
     * Parses {@code frame} (command code, then payload). The frame is not consumed beyond this
     * call: {@link MilterCommand.Body} and {@link MilterCommand.EndOfMessage} get a retained slice.
     *
     * @throws MilterProtocolException naming the command and what is wrong
     */
    static MilterCommand parse(ByteBuf frame) {
        char code = (char) frame.readUnsignedByte();
        MilterCommand command = switch (code) {
            case 'O' -> optionNegotiation(frame);
            case 'C' -> connect(frame);
            case 'H' -> new MilterCommand.Helo(string(frame, "HELO", "name"));
            case 'M' -> new MilterCommand.Mail(strings(frame, "MAIL"));
            case 'R' -> new MilterCommand.Rcpt(strings(frame, "RCPT"));
            case 'D' -> macros(frame);
            case 'T' -> new MilterCommand.Data();
            case 'L' -> new MilterCommand.Header(string(frame, "HEADER", "name"), string(frame, "HEADER", "value"));
            case 'N' -> new MilterCommand.EndOfHeaders();
            case 'B' -> new MilterCommand.Body(frame.readRetainedSlice(frame.readableBytes()));
            case 'E' -> new MilterCommand.EndOfMessage(frame.readRetainedSlice(frame.readableBytes()));
            case 'U' -> new MilterCommand.Unknown(string(frame, "UNKNOWN", "command"));
            case 'A' -> new MilterCommand.Abort();
            case 'Q' -> new MilterCommand.Quit();
            case 'K' -> new MilterCommand.QuitNewConnection();
            default -> throw new MilterProtocolException("unknown command code '" + MilterCommand.printable(code) + "'");
        };
        if (frame.isReadable()) {
            release(command);
            throw new MilterProtocolException(MilterCommand.name(code) + ": " + frame.readableBytes() + " unexpected bytes after the payload");
        }
        return command;
    }

    private static MilterCommand.OptionNegotiation optionNegotiation(ByteBuf frame) {
        if (frame.readableBytes() < 12) {
            throw new MilterProtocolException("OPTNEG: payload is " + frame.readableBytes()
                    + " bytes, needs 12 (version, actions, protocol)");
        }
        MilterCommand.OptionNegotiation o = new MilterCommand.OptionNegotiation(frame.readInt(), frame.readInt(), frame.readInt());
        frame.skipBytes(frame.readableBytes()); // later protocol versions may append fields
        return o;
    }

    private static MilterCommand.Connect connect(ByteBuf frame) {
        String hostname = string(frame, "CONNECT", "host name");
        if (!frame.isReadable()) {
            throw new MilterProtocolException("CONNECT: address family missing");
        }
        MilterCommand.Family family = MilterCommand.Family.of((char) frame.readUnsignedByte());
        if (family == MilterCommand.Family.UNKNOWN) {
            return new MilterCommand.Connect(hostname, family, 0, "");
        }
        if (frame.readableBytes() < 2) {
            throw new MilterProtocolException("CONNECT: port missing");
        }
        int port = frame.readUnsignedShort();
        return new MilterCommand.Connect(hostname, family, port, string(frame, "CONNECT", "address"));
    }

    private static MilterCommand.Macros macros(ByteBuf frame) {
        if (!frame.isReadable()) {
            throw new MilterProtocolException("MACRO: command code missing");
        }
        char forCommand = (char) frame.readUnsignedByte();
        Map<String, String> values = new LinkedHashMap<>();
        while (frame.isReadable()) {
            String name = string(frame, "MACRO", "name");
            if (!frame.isReadable()) {
                throw new MilterProtocolException("MACRO: macro '" + name + "' has no value");
            }
            values.put(name, string(frame, "MACRO", "value of " + name));
        }
        return new MilterCommand.Macros(forCommand, values);
    }

    private static List<String> strings(ByteBuf frame, String command) {
        List<String> args = new ArrayList<>();
        do {
            args.add(string(frame, command, "argument " + (args.size() + 1)));
        } while (frame.isReadable());
        return List.copyOf(args);
    }

    private static String string(ByteBuf frame, String command, String what) {
        int length = frame.bytesBefore((byte) 0);
        if (length < 0) {
            throw new MilterProtocolException(command + ": " + what + " is not NUL-terminated");
        }
        String s = frame.toString(frame.readerIndex(), length, StandardCharsets.ISO_8859_1);
        frame.skipBytes(length + 1);
        return s;
    }

    private static void release(MilterCommand command) {
        if (command instanceof MilterCommand.Body b) {
            b.chunk().release();
        } else if (command instanceof MilterCommand.EndOfMessage e) {
            e.chunk().release();
        }
    }
}
