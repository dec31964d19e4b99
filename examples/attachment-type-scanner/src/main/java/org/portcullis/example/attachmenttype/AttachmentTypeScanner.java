package org.portcullis.example.attachmenttype;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.portcullis.scanner.Message;
import org.portcullis.scanner.Part;
import org.portcullis.scanner.PartScanner;
import org.portcullis.scanner.ScanResult;

/**
 * Flags a part as suspicious when its file name has an executable extension, or when its content
 * is an executable whatever it claims to be (an {@code invoice.pdf} that is really a Windows
 * program). Reads no content itself: Portcullis has already detected each part's type.
 * Stateless, so safe to call concurrently.
 */
@Component(service = PartScanner.class, configurationPid = "org.portcullis.example.attachmenttype")
@Designate(ocd = AttachmentTypeScanner.Config.class)
public class AttachmentTypeScanner implements PartScanner {

    @ObjectClassDefinition(name = "Example attachment type scanner")
    @interface Config {
        @AttributeDefinition(description = "File name extensions flagged, without the dot")
        String[] extensions() default {"exe", "scr", "com", "pif", "bat", "cmd", "js", "jse", "vbs", "vbe", "wsf",
            "hta", "msi", "jar", "ps1", "lnk"};

        @AttributeDefinition(description = "Detected content types flagged")
        String[] types() default {"application/x-dosexec", "application/x-msdownload", "application/x-executable",
            "application/x-sharedlib", "application/java-archive"};
    }

    private volatile Set<String> extensions = Set.of();
    private volatile Set<String> types = Set.of();

    public AttachmentTypeScanner() {
    }

    /** For tests and plain Java use: the default lists, read from the defaults declared on {@link Config}. */
    static AttachmentTypeScanner withDefaults() {
        AttachmentTypeScanner scanner = new AttachmentTypeScanner();
        scanner.configure(Config.class.cast(java.lang.reflect.Proxy.newProxyInstance(Config.class.getClassLoader(),
                new Class<?>[] {Config.class}, (proxy, method, args) -> method.getDefaultValue())));
        return scanner;
    }

    @Activate
    void configure(Config config) {
        extensions = lowerCase(config.extensions());
        types = lowerCase(config.types());
    }

    @Override
    public String name() {
        return "attachment-type";
    }

    @Override
    public Duration timeout() {
        return Duration.ofSeconds(1);
    }

    @Override
    public ScanResult scan(Message message, Part part) {
        Optional<String> extension = part.filename().map(AttachmentTypeScanner::extension).filter(extensions::contains);
        if (extension.isPresent()) {
            return ScanResult.suspicious("executable attachment " + part.filename().get());
        }
        if (types.contains(part.detectedType().toLowerCase(Locale.ROOT))) {
            return ScanResult.suspicious("attachment " + part.filename().orElse("in part " + part.path())
                    + " is " + part.detectedType() + " but claims to be " + part.declaredType());
        }
        return ScanResult.clean();
    }

    private static String extension(String filename) {
        int dot = filename.lastIndexOf('.');
        return dot < 0 ? "" : filename.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static Set<String> lowerCase(String[] values) {
        return Arrays.stream(values).map(v -> v.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }
}
