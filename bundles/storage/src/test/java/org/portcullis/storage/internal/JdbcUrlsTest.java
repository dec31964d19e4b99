package org.portcullis.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JdbcUrlsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "jdbc:postgresql://db:5432/portcullis | jdbc:postgresql://db:5432/portcullis",
        "jdbc:postgresql://db/p?user=u&password=s3cret | jdbc:postgresql://db/p?user=u&password=***",
        "jdbc:postgresql://db/p?password=s3cret&ssl=true | jdbc:postgresql://db/p?password=***&ssl=true",
        "jdbc:postgresql://db/p?PASSWORD=s3cret | jdbc:postgresql://db/p?PASSWORD=***",
        "jdbc:postgresql://u:s3cret@db/p | jdbc:postgresql://***@db/p",
    })
    void removesPasswords(String url, String shown) {
        assertEquals(shown, JdbcUrls.redact(url));
    }
}
