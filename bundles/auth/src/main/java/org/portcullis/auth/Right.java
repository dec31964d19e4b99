package org.portcullis.auth;

/**
 * A named permission, granted to an account or to a role. An admin holds every right; the
 * others hold what was granted to them or to their role, within their scope.
 */
public enum Right {
    LISTS_MANAGE("lists-manage"),
    QUARANTINE_RELEASE("quarantine-release"),
    VIRUS_RELEASE("virus-release"),
    SANDBOX_RELEASE("sandbox-release"),
    BACKUP("backup"),
    UPDATE("update"),
    CLUSTER("cluster"),
    ACCOUNTS("accounts"),
    /** ACME certificates: the account, orders, renewals, revocation (since 2.1). */
    CERTIFICATES("certificates"),
    /** Reading the Prometheus metrics ({@code /api/v1/metrics}): for the account a Prometheus server scrapes with. */
    METRICS("metrics");

    private final String id;

    Right(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** @throws AuthException (invalid) naming the value and the rights there are */
    public static Right parse(String value) {
        return Names.parse(values(), Right::id, value, "right");
    }
}
