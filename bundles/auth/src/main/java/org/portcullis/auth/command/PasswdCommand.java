package org.portcullis.auth.command;

import java.util.Arrays;
import java.util.Optional;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.auth.Account;
import org.portcullis.auth.AuthException;
import org.portcullis.auth.Right;

@Command(scope = "auth", name = "passwd", description = "Changes your password, or another account's (needs the right 'accounts')")
@Service
public class PasswdCommand extends AccountCommand {

    @Completion(AccountNameCompleter.class)
    @Argument(index = 0, name = "name", description = "The account (default: your own)", required = false)
    String name;

    @Option(name = "-f", aliases = "--password-file", description = "Read the new password from this file instead of the terminal")
    String passwordFile;

    /** Checks for itself: one's own password needs no right, another's needs 'accounts'. */
    @Override
    protected Right required() {
        return null;
    }

    @Override
    protected void run() throws Exception {
        Optional<Account> me = caller();
        String target = name != null ? name : me.map(Account::name)
                .orElseThrow(() -> new AuthException(AuthException.Code.INVALID, "the local console has no account: name one"));
        if (me.isPresent() && !me.get().name().equalsIgnoreCase(target)) {
            org.portcullis.auth.shell.ShellAccess.require(accounts, user(), Right.ACCOUNTS);
            managed(me.get(), target);
        }
        char[] password = PasswordInput.read(session, passwordFile, target);
        try {
            accounts.changePassword(target, password);
        } finally {
            Arrays.fill(password, '\0');
        }
        System.out.println("Password of '" + target.toLowerCase(java.util.Locale.ROOT) + "' changed");
    }
}
