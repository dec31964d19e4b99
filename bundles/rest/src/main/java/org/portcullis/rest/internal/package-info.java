/** The /api/v1 application: authentication filter, error mapping, JSON, and the system and account resources. */
package org.portcullis.rest.internal;
