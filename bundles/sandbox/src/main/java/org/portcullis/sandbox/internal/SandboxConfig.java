package org.portcullis.sandbox.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Portcullis sandbox", description = "Which mail is held for analysis, and how its attachments are analysed")
public @interface SandboxConfig {

    @AttributeDefinition(description = "Which mail the sandbox holds: risky (programs, scripts, archives, PDF and Office documents), "
            + "attachments (any attachment), or off")
    String hold() default "risky";

    @AttributeDefinition(description = "Analyses running at once, over every held message")
    int threads() default 8;

    @AttributeDefinition(description = "Seconds one built-in analysis may take")
    int deadline_seconds() default 60;

    @AttributeDefinition(description = "Failed analyses of a message before it is released unanalysed")
    int max_failures() default 5;

    @AttributeDefinition(description = "Seconds before the first retry of a failed analysis; doubled at each failure, at most an hour")
    int retry_seconds() default 30;

    @AttributeDefinition(description = "Seconds between looks for held mail to analyse")
    int poll_seconds() default 5;

    @AttributeDefinition(description = "Archives inside archives, at most")
    int archive_max_depth() default 3;

    @AttributeDefinition(description = "Entries of one attachment's archives, at most")
    int archive_max_entries() default 1000;

    @AttributeDefinition(description = "Bytes one attachment's archives may expand to")
    long archive_max_bytes() default 104857600L;

    @AttributeDefinition(description = "How many times its own size an archive may expand to (past 1 MiB)")
    int archive_max_ratio() default 100;

    @AttributeDefinition(description = "Objects one PDF may have; past it, the PDF is not analysed and stays held")
    int pdf_max_objects() default 200000;

    @AttributeDefinition(description = "Bytes one Office document's macro project may have; past it, the document is not analysed and stays held")
    long macro_max_bytes() default 20971520L;
}
