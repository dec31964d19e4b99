package org.portcullis.backup.rest;

import javax.ws.rs.core.Response;
import javax.ws.rs.ext.ExceptionMapper;

import org.osgi.service.component.annotations.Component;
import org.portcullis.backup.BackupBusyException;
import org.portcullis.backup.BackupException;
import org.portcullis.rest.Api;
import org.portcullis.rest.ApiError;

/** A refused backup file (not a backup, damaged, busy) as the API's error body: 400, or 409 while another operation runs. */
@Component(service = javax.ws.rs.ext.ExceptionMapper.class, property = {Api.EXTENSION})
public class BackupErrorMapper implements ExceptionMapper<BackupException> {

    @Override
    public Response toResponse(BackupException e) {
        boolean busy = e instanceof BackupBusyException;
        return new ApiError(busy ? "busy" : "invalid_backup", e.getMessage()).response(busy ? 409 : 400);
    }
}
