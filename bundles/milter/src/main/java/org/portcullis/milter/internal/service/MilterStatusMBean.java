package org.portcullis.milter.internal.service;

/** The milter's figures over JMX, as {@code org.portcullis:type=Milter}. */
public interface MilterStatusMBean {

    String getAddress();

    /** {@code epoll} (Linux native) or {@code nio}. */
    String getTransport();

    int getOpenConnections();

    long getMessages();

    long getAccepted();

    long getTagged();

    long getQuarantined();

    long getRejected();

    long getTempfailed();

    long getMaintenanceRefusals();

    long getErrors();

    double getLatencyP50Millis();

    double getLatencyP99Millis();
}
