package org.portcullis.auth;

/** What an account is, and so what its scope means. */
public enum Role {
    /** Everything, everywhere; the only role with shell access. */
    ADMIN("admin"),
    /** Administers the domains in its scope (for example {@code example.com}). */
    DOMAIN_ADMIN("domain-admin"),
    /** A mail user: acts on the addresses in its scope only. */
    USER("user");

    private final String id;

    Role(String id) {
        this.id = id;
    }

    /** The name admins type and see: {@code admin}, {@code domain-admin}, {@code user}. */
    public String id() {
        return id;
    }

    /** @throws AuthException (invalid) naming the value and the roles there are */
    public static Role parse(String value) {
        return Names.parse(values(), Role::id, value, "role");
    }
}
