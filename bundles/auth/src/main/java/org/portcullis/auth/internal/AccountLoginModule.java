package org.portcullis.auth.internal;

import java.io.IOException;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;

import org.apache.karaf.jaas.boot.principal.ClientPrincipal;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.portcullis.auth.Account;
import org.portcullis.auth.AuthException;
import org.portcullis.auth.Accounts;
import org.portcullis.auth.LoginFailedException;
import org.portcullis.auth.Role;

/**
 * The JAAS login module of the {@code karaf} realm: name and password checked by the account
 * store (with its lockout, keyed also by the client address Karaf's SSH server puts in the
 * subject). An admin gets Karaf's roles for the shell (including {@code ssh}); other roles get
 * none, so they cannot open a shell: they use the REST API and the web console.
 */
public class AccountLoginModule implements LoginModule {

    /** Karaf roles an admin needs: commands, bundle management, SSH. */
    static final List<String> ADMIN_SHELL_ROLES = List.of("admin", "manager", "viewer", "systembundles", "ssh");

    private Subject subject;
    private CallbackHandler handler;
    private BundleContext context;
    private Account account;
    private final List<Principal> added = new ArrayList<>();

    @Override
    public void initialize(Subject subject, CallbackHandler handler, Map<String, ?> sharedState, Map<String, ?> options) {
        this.subject = subject;
        this.handler = handler;
        this.context = (BundleContext) options.get(BundleContext.class.getName());
    }

    @Override
    public boolean login() throws LoginException {
        NameCallback name = new NameCallback("Username: ");
        PasswordCallback password = new PasswordCallback("Password: ", false);
        try {
            handler.handle(new Callback[] {name, password});
        } catch (IOException | UnsupportedCallbackException e) {
            throw new LoginException("cannot ask for name and password: " + e.getMessage());
        }
        char[] secret = password.getPassword();
        ServiceReference<Accounts> ref = context.getServiceReference(Accounts.class);
        Accounts accounts = ref == null ? null : context.getService(ref);
        if (accounts == null) {
            throw new LoginException("the account store is not available yet");
        }
        try {
            account = accounts.authenticate(name.getName(), secret == null ? new char[0] : secret, clientAddress());
            return true;
        } catch (LoginFailedException e) {
            throw new FailedLoginException(e.getMessage());
        } catch (AuthException e) {
            throw new LoginException(e.getMessage());
        } finally {
            if (secret != null) {
                Arrays.fill(secret, '\0');
            }
            password.clearPassword();
            context.ungetService(ref);
        }
    }

    /** The address Karaf's SSH server records in the subject ({@code ClientPrincipal}), if any. */
    private String clientAddress() {
        for (ClientPrincipal p : subject.getPrincipals(ClientPrincipal.class)) {
            String a = p.getAddress();
            if (a != null && !a.isEmpty()) {
                // an InetSocketAddress as text, "host/127.0.0.1:53412" or "/::1:53412": drop the port,
                // which changes with every connection
                int slash = a.indexOf('/');
                String hostPort = slash >= 0 ? a.substring(slash + 1) : a;
                int colon = hostPort.lastIndexOf(':');
                return colon > 0 && hostPort.substring(colon + 1).matches("\\d+") ? hostPort.substring(0, colon) : hostPort;
            }
        }
        return null;
    }

    @Override
    public boolean commit() {
        if (account == null) {
            return false;
        }
        added.add(new UserPrincipal(account.name()));
        if (account.role() == Role.ADMIN) {
            ADMIN_SHELL_ROLES.forEach(r -> added.add(new RolePrincipal(r)));
        }
        subject.getPrincipals().addAll(added);
        return true;
    }

    @Override
    public boolean abort() {
        account = null;
        return true;
    }

    @Override
    public boolean logout() {
        subject.getPrincipals().removeAll(added);
        added.clear();
        account = null;
        return true;
    }
}
