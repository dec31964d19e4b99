package org.portcullis.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProductInfoImplTest {

    @Test
    void versionIsTheMavenVersionOfTheBuild() {
        assertEquals(System.getProperty("portcullis.expected.version"), new ProductInfoImpl().version());
    }
}
