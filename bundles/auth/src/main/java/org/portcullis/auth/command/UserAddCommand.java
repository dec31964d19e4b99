package org.portcullis.auth.command;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.auth.Account;
import org.portcullis.auth.AuthException;
import org.portcullis.auth.Delegation;
import org.portcullis.auth.Right;
import org.portcullis.auth.Role;

@Command(scope = "auth", name = "user-add", description = "Creates an account (admin, domain-admin or user)")
@Service
public class UserAddCommand extends AccountCommand {

    @Argument(index = 0, name = "name", description = "Login name: 1 to 64 of a-z 0-9 . _ @ -", required = true)
    String name;

    @Option(name = "-r", aliases = "--role", description = "admin, domain-admin or user")
    @Completion(value = StringsCompleter.class, values = {"admin", "domain-admin", "user"})
    String role = "admin";

    @Option(name = "-s", aliases = "--scope", description = "A domain (domain-admin) or an address (user); repeat for more",
            multiValued = true)
    List<String> scopes;

    @Option(name = "-f", aliases = "--password-file", description = "Read the password from this file instead of the terminal")
    String passwordFile;

    @Override
    protected Right required() {
        return Right.ACCOUNTS;
    }

    @Override
    protected void run() throws Exception {
        Role r = Role.parse(role);
        Set<String> scopeSet = scopes == null ? Set.of() : Set.copyOf(scopes);
        caller().ifPresent(c -> Delegation.requireAssign(c, r, scopeSet));
        // what can be told before the password is asked for, is told first
        if (r != Role.ADMIN && scopeSet.isEmpty()) {
            throw new AuthException(AuthException.Code.INVALID, "a " + r.id() + " needs at least one --scope ("
                    + (r == Role.DOMAIN_ADMIN ? "a domain" : "an email address") + ")");
        }
        if (accounts.find(name).isPresent()) {
            throw new AuthException(AuthException.Code.DUPLICATE, "account '" + name.strip().toLowerCase(java.util.Locale.ROOT)
                    + "' already exists");
        }
        char[] password = PasswordInput.read(session, passwordFile, name);
        try {
            Account a = accounts.create(name, r, scopeSet, password);
            System.out.println("Account '" + a.name() + "' created (" + a.role().id()
                    + (a.scopes().isEmpty() ? "" : ", scope " + String.join(", ", a.scopes())) + ")");
        } finally {
            Arrays.fill(password, '\0');
        }
    }
}
