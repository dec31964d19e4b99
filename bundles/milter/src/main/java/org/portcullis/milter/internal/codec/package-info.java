/**
 * Layer 1 of the milter: frames, command and reply codes, and their payloads. No policy and no
 * state: the session layer decides what a command means and which replies to send.
 */
package org.portcullis.milter.internal.codec;
