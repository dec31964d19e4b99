/** Example scanner: flags executable attachments by file name and by detected content type. */
package org.portcullis.example.attachmenttype;
