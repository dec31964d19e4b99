package org.portcullis.auth.command;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.portcullis.auth.shell.AccountCommand;
import org.portcullis.auth.Delegation;
import org.portcullis.auth.Right;

/** {@code auth:grant} and {@code auth:revoke}: a subject and a right. */
abstract class RightCommand extends AccountCommand {

    @Completion(AccountNameCompleter.WithRoles.class)
    @Argument(index = 0, name = "subject", description = "An account name, or role:domain-admin / role:user", required = true)
    String subject;

    @Argument(index = 1, name = "right", required = true)
    @Completion(RightCompleter.class)
    String right;

    @Override
    protected Right required() {
        return Right.ACCOUNTS;
    }

    /** The right, once {@link Delegation} allows the caller to grant or revoke it on the subject. */
    protected Right checkedRight() {
        Right r = Right.parse(right);
        caller().ifPresent(c -> Delegation.requireGrant(c, subject, subject.startsWith("role:") ? null : managed(c, subject), r));
        return r;
    }
}
