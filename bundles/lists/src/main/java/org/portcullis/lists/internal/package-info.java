/** The in-memory index of list entries and the judgement the milter asks for. */
package org.portcullis.lists.internal;
