package org.portcullis.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;

/**
 * Runs one Portcullis shell command over SSH on 127.0.0.1 and prints its output, for the bench
 * scripts: {@code ShellCommand PORT USER PASSWORD COMMAND}. Waits up to an hour.
 */
public final class ShellCommand {

    private ShellCommand() {
    }

    public static void main(String[] args) throws Exception {
        try (SshClient client = SshClient.setUpDefaultClient()) {
            client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
            client.start();
            try (ClientSession session = client.connect(args[1], "127.0.0.1", Integer.parseInt(args[0])).verify(Duration.ofSeconds(10))
                    .getSession()) {
                session.addPasswordIdentity(args[2]);
                session.auth().verify(Duration.ofSeconds(10));
                try (ChannelExec channel = session.createExecChannel(args[3])) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    channel.setOut(System.out);
                    channel.setErr(out);
                    channel.open().verify(Duration.ofSeconds(10));
                    channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofHours(1));
                    System.out.print(out.toString(StandardCharsets.UTF_8));
                }
            }
        }
    }
}
