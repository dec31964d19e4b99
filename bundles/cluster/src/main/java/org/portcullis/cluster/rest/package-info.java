/** {@code /api/v1/cluster}: the cluster's status, its terms, and an admin's promote, over REST (right {@code cluster}). */
package org.portcullis.cluster.rest;
