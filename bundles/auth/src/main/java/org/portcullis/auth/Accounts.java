package org.portcullis.auth;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The one account store, in PostgreSQL, shared by every node of a cluster: the shell's JAAS
 * realm, the REST API and the web console all authenticate here, so a password changed in one
 * place is the password everywhere, at once (nothing is cached).
 *
 * <p>Every method that changes something changes all of it or nothing, and throws
 * {@link AuthException} with a one-line reason. Passwords are taken as {@code char[]} and
 * wiped by the caller; they are never logged or put in an exception.
 */
@ProviderType
public interface Accounts {

    /**
     * Creates an account.
     *
     * @param scopes domains for a domain-admin, addresses for a user, none for an admin
     * @throws AuthException invalid name or scope, duplicate name, weak password
     */
    Account create(String name, Role role, Set<String> scopes, char[] password);

    List<Account> list();

    Optional<Account> find(String name);

    /** @throws AuthException unknown account, or it is the last admin */
    void remove(String name);

    /**
     * Gives an account another role and scope (both checked as at creation).
     *
     * @throws AuthException unknown account, invalid scope, or it would leave no admin
     */
    Account update(String name, Role role, Set<String> scopes);

    /**
     * Sets a new password and ends every session token of the account, so that whoever held one
     * (with the old password, or a stolen token) must log in again.
     *
     * @throws AuthException unknown account, weak password
     */
    void changePassword(String name, char[] newPassword);

    /**
     * Grants a right to an account ({@code name}) or to every account of a role
     * ({@code role:domain-admin}). Granting what is already granted changes nothing.
     */
    void grant(String subject, Right right);

    /** Takes back a grant; taking back what was not granted changes nothing. */
    void revoke(String subject, Right right);

    /** The rights granted to a subject itself ({@code name} or {@code role:<role>}), not inherited ones. */
    Set<Right> grants(String subject);

    /**
     * Checks a password. Failures are counted per account and per source address, and repeated
     * failures lock both out for a growing time; a locked-out attempt fails without the password
     * being checked. The outcome never tells whether the account exists.
     *
     * @param source where the attempt comes from (an IP address), or {@code null} when unknown
     * @return the account on success
     * @throws LoginFailedException on any failure, with the same message whatever the reason
     */
    Account authenticate(String name, char[] password, String source) throws LoginFailedException;

    /**
     * Issues a session token for an authenticated account, valid on every node (it is kept in
     * the database, as a hash) until it expires, is revoked, or the account is removed.
     */
    Token issueToken(String name, Duration ttl);

    /** The account a token belongs to, while it is valid. */
    Optional<Account> resolveToken(String token);

    /** Ends a token at once; an unknown token changes nothing. */
    void revokeToken(String token);
}
