package dev.flows.observer.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ServerNamesTest {
    @Test
    void aCollectorsNameIsOneLabelUnderTheDomainSoOneWildcardCoversEveryNode() {
        assertEquals("node-a.flows-collector.flows.dev", ServerNames.collector("node-a"));
        // a wildcard matches one label only: a dotted node name would escape *.flows-collector.flows.dev
        assertEquals("ip-10-0-1-5-ec2-internal.flows-collector.flows.dev", ServerNames.collector("ip-10-0-1-5.ec2.internal"));
    }
}
