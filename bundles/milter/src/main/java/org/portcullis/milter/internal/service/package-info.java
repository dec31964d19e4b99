/** The OSGi component that runs the milter: configuration, the scanner whiteboard, the server's lifecycle. */
package org.portcullis.milter.internal.service;
