package org.portcullis.updater;

import java.nio.file.Path;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The update packages this appliance holds, and the checks an update must pass before it is applied. */
@ProviderType
public interface Updates {

    /**
     * Runs every precheck against {@code file} (a package anywhere, or one kept here); nothing is
     * changed. The update may be applied only when every check passed.
     */
    List<Check> precheck(Path file);

    /**
     * Verifies {@code file} and keeps a copy among the packages ({@link #packages()}); a package
     * that does not verify is not kept. Returns the kept file.
     */
    Path install(Path file);

    /** The kept packages, oldest first. */
    List<Path> packages();
}
