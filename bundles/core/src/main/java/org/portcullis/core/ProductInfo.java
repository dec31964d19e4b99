package org.portcullis.core;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The product this container runs. Backups, updates and cluster membership compare
 * {@link #version()} to decide what is compatible, so it is the Maven version of the build,
 * not a bundle version.
 */
@ProviderType
public interface ProductInfo {

    /** The product version, for example {@code 0.1.0} or {@code 0.2.0-SNAPSHOT}. */
    String version();
}
