package org.portcullis.scanner;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** One MIME part of a message, with its content already decoded (base64, quoted-printable). */
@ProviderType
public interface Part {

    /** Where the part sits: {@code 1} is the root, {@code 1.2} its second child, and so on. */
    String path();

    /** The Content-Type the sender declared, lower case without parameters ({@code text/plain} when none). */
    String declaredType();

    /** The type Portcullis detected from the content itself; differs from the declared type when a sender lies. */
    String detectedType();

    /** The file name the sender gave (Content-Disposition or Content-Type {@code name}), if any. */
    Optional<String> filename();

    /** The decoded size in bytes. */
    long size();

    /** Whether the part contains other parts (multipart or an attached message); such parts have no content of their own. */
    boolean container();

    /** The decoded content; a new stream on each call; empty for a container. */
    InputStream open() throws IOException;
}
