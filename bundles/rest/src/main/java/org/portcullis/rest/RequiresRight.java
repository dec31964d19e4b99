package org.portcullis.rest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.portcullis.auth.Right;

/**
 * On a resource method (or class): the caller must hold this right, else 403. Checked before the
 * method runs, and shown in the OpenAPI document as {@code x-portcullis-right}. A method without
 * it (and without {@link AdminOnly}) is open to every authenticated account.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RequiresRight {
    Right value();
}
