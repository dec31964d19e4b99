package org.portcullis.storage.internal;

import java.util.regex.Pattern;

/** Removes credentials from JDBC URLs before they are shown or logged. */
final class JdbcUrls {

    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)([?&;]password=)[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("//[^/@?]*@");

    private JdbcUrls() {
    }

    static String redact(String url) {
        String s = PASSWORD_PARAM.matcher(url).replaceAll("$1***");
        return USER_INFO.matcher(s).replaceFirst("//***@");
    }
}
