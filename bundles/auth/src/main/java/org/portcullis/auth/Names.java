package org.portcullis.auth;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Looks an enum constant up by the name admins type, or says which names there are. */
final class Names {

    private Names() {
    }

    static <E extends Enum<E>> E parse(E[] values, Function<E, String> id, String value, String what) {
        for (E e : values) {
            if (id.apply(e).equals(value)) {
                return e;
            }
        }
        throw new AuthException(AuthException.Code.INVALID, "unknown " + what + " '" + value + "' (" + what + "s: "
                + Arrays.stream(values).map(id).collect(Collectors.joining(", ")) + ")");
    }
}
