/** The verdict pipeline: scanners run in parallel with deadlines, and a policy combines their results. */
package org.portcullis.milter.internal.pipeline;
