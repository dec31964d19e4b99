package org.portcullis.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.osgi.service.jaxrs.runtime.dto.ApplicationDTO;
import org.osgi.service.jaxrs.runtime.dto.ExtensionDTO;
import org.osgi.service.jaxrs.runtime.dto.FailedApplicationDTO;
import org.osgi.service.jaxrs.runtime.dto.FailedExtensionDTO;
import org.osgi.service.jaxrs.runtime.dto.FailedResourceDTO;
import org.osgi.service.jaxrs.runtime.dto.ResourceDTO;
import org.osgi.service.jaxrs.runtime.dto.RuntimeDTO;

class ApiPublisherTest {

    @Test
    void aCopyMissingFromTheWhiteboardsViewTwiceInARowIsLostOnceOnly() {
        Map<Long, Integer> strikes = new HashMap<>();
        Set<Long> copies = Set.of(1L, 2L, 3L);
        assertEquals(Set.of(), ApiPublisher.lost(copies, Set.of(1L), strikes), "one miss may be the whiteboard still at work");
        assertEquals(Set.of(2L), ApiPublisher.lost(copies, Set.of(1L, 3L), strikes), "2 missed twice in a row; 3 is back");
        assertEquals(Set.of(), ApiPublisher.lost(copies, Set.of(1L, 3L), strikes), "2 was published again: its count starts over");
        assertEquals(Set.of(), ApiPublisher.lost(Set.of(1L), Set.of(), strikes), "a copy gone meanwhile is forgotten");
        assertEquals(Map.of(1L, 1), strikes);
    }

    @Test
    void theViewNamesServedAndFailedServicesAlike() {
        RuntimeDTO dto = new RuntimeDTO();
        ApplicationDTO app = new ApplicationDTO();
        app.serviceId = 10;
        ResourceDTO resource = new ResourceDTO();
        resource.serviceId = 11;
        ExtensionDTO extension = new ExtensionDTO();
        extension.serviceId = 12;
        app.resourceDTOs = new ResourceDTO[] {resource};
        app.extensionDTOs = new ExtensionDTO[] {extension};
        dto.applicationDTOs = new ApplicationDTO[] {app};
        ApplicationDTO fallback = new ApplicationDTO();
        fallback.serviceId = 1;
        fallback.resourceDTOs = new ResourceDTO[0];
        fallback.extensionDTOs = new ExtensionDTO[0];
        dto.defaultApplication = fallback;
        FailedApplicationDTO failedApp = new FailedApplicationDTO();
        failedApp.serviceId = 20;
        FailedResourceDTO failedResource = new FailedResourceDTO();
        failedResource.serviceId = 21;
        FailedExtensionDTO failedExtension = new FailedExtensionDTO();
        failedExtension.serviceId = 22;
        dto.failedApplicationDTOs = new FailedApplicationDTO[] {failedApp};
        dto.failedResourceDTOs = new FailedResourceDTO[] {failedResource};
        dto.failedExtensionDTOs = new FailedExtensionDTO[] {failedExtension};
        assertEquals(Set.of(1L, 10L, 11L, 12L, 20L, 21L, 22L), ApiPublisher.reported(dto));
    }
}
