package org.portcullis.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import org.osgi.service.component.annotations.Component;
import org.portcullis.core.ProductInfo;

/** Reads the product version that Maven wrote into {@code product.properties} at build time. */
@Component(service = ProductInfo.class)
public class ProductInfoImpl implements ProductInfo {

    private final String version;

    public ProductInfoImpl() {
        Properties p = new Properties();
        try (InputStream in = ProductInfoImpl.class.getResourceAsStream("product.properties")) {
            if (in == null) {
                throw new IllegalStateException("product.properties is missing from the core bundle");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read product.properties from the core bundle", e);
        }
        version = p.getProperty("version", "").trim();
        if (version.isEmpty() || version.startsWith("${")) {
            throw new IllegalStateException("product.properties has no version; the build did not filter it");
        }
    }

    @Override
    public String version() {
        return version;
    }
}
