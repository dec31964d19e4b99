/** {@code /api/v1/lists}: the lists over REST, scoped to what the caller may touch. */
package org.portcullis.lists.rest;
