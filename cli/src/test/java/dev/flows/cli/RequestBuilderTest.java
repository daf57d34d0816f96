package dev.flows.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Options;
import dev.flows.proto.observer.GetFlowsRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The GetFlowsRequest each observe flag produces, compared as protobuf JSON (no server involved). */
class RequestBuilderTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T20:00:00Z"), ZoneOffset.UTC);

    static GetFlowsRequest request(String args) {
        return Options.parse(new ObserveCommand(), args.isBlank() ? new String[0] : args.split(" ")).request(CLOCK);
    }

    static String json(GetFlowsRequest r) throws Exception {
        // JsonFormat escapes '=' (as Gson does); equivalent JSON, unescaped here for readable tables.
        return JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace().print(r).replace("\\u003d", "=");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        ``                                   | {"number":"20"}
        --last 5                             | {"number":"5"}
        --first 3                            | {"number":"3","first":true}
        --all                                | {"number":"18446744073709551615"}
        --follow                             | {"follow":true}
        -f --last 2                          | {"number":"2","follow":true}
        --since 5m                           | {"since":"2026-11-21T19:55:00Z"}
        --since 1h30m --until 2026-11-21T19:59:00+00:00 | {"since":"2026-11-21T18:30:00Z","until":"2026-11-21T19:59:00Z"}
        --pod shop/cart --last 1             | {"number":"1","whitelist":[{"source_pod":["shop/cart"]},{"destination_pod":["shop/cart"]}]}
        --pod cart --last 1                  | {"number":"1","whitelist":[{"source_pod":["default/cart"]},{"destination_pod":["default/cart"]}]}
        --from-pod shop/a --last 1           | {"number":"1","whitelist":[{"source_pod":["shop/a"]}]}
        --to-pod shop/a --last 1             | {"number":"1","whitelist":[{"destination_pod":["shop/a"]}]}
        --namespace shop --last 1            | {"number":"1","whitelist":[{"source_pod":["shop/"]},{"destination_pod":["shop/"]}]}
        --ip 10.244.1.5 --last 1             | {"number":"1","whitelist":[{"source_ip":["10.244.1.5"]},{"destination_ip":["10.244.1.5"]}]}
        --from-ip 10.244.0.0/16 --last 1     | {"number":"1","whitelist":[{"source_ip":["10.244.0.0/16"]}]}
        --to-ip fd00::1 --last 1             | {"number":"1","whitelist":[{"destination_ip":["fd00::1"]}]}
        --port 8080 --last 1                 | {"number":"1","whitelist":[{"source_port":["8080"]},{"destination_port":["8080"]}]}
        --from-port 53 --last 1              | {"number":"1","whitelist":[{"source_port":["53"]}]}
        --to-port=443 --last 1               | {"number":"1","whitelist":[{"destination_port":["443"]}]}
        --protocol TCP --protocol udp --last 1 | {"number":"1","whitelist":[{"protocol":["tcp","udp"]}]}
        --verdict dropped --last 1           | {"number":"1","whitelist":[{"verdict":["DROPPED"]}]}
        --label app=cart --last 1            | {"number":"1","whitelist":[{"source_label":["app=cart"]},{"destination_label":["app=cart"]}]}
        --from-label app=a --last 1          | {"number":"1","whitelist":[{"source_label":["app=a"]}]}
        --to-label app=b --last 1            | {"number":"1","whitelist":[{"destination_label":["app=b"]}]}
        -n shop --last 1                     | {"number":"1","whitelist":[{"source_pod":["shop/"]},{"destination_pod":["shop/"]}]}
        --from-namespace shop --last 1       | {"number":"1","whitelist":[{"source_pod":["shop/"]}]}
        --to-namespace infra --last 1        | {"number":"1","whitelist":[{"destination_pod":["infra/"]}]}
        --service shop/cart --last 1         | {"number":"1","whitelist":[{"source_service":["shop/cart"]},{"destination_service":["shop/cart"]}]}
        --from-service cart --last 1         | {"number":"1","whitelist":[{"source_service":["default/cart"]}]}
        --to-service shop/ --last 1          | {"number":"1","whitelist":[{"destination_service":["shop/"]}]}
        --identity 5678 --last 1             | {"number":"1","whitelist":[{"source_identity":[5678]},{"destination_identity":[5678]}]}
        --from-identity host --last 1        | {"number":"1","whitelist":[{"source_identity":[1]}]}
        --to-identity reserved:world --last 1 | {"number":"1","whitelist":[{"destination_identity":[2]}]}
        --workload Deployment/cart --last 1  | {"number":"1","whitelist":[{"source_workload":[{"name":"cart","kind":"Deployment"}]},{"destination_workload":[{"name":"cart","kind":"Deployment"}]}]}
        --from-workload frontend --last 1    | {"number":"1","whitelist":[{"source_workload":[{"name":"frontend"}]}]}
        --to-workload StatefulSet/db --last 1 | {"number":"1","whitelist":[{"destination_workload":[{"name":"db","kind":"StatefulSet"}]}]}
        --tcp-flags SYN --last 1             | {"number":"1","whitelist":[{"tcp_flags":[{"SYN":true}]}]}
        --tcp-flags syn,ack --tcp-flags RST --last 1 | {"number":"1","whitelist":[{"tcp_flags":[{"SYN":true,"ACK":true},{"RST":true}]}]}
        --ip-version 4 --last 1              | {"number":"1","whitelist":[{"ip_version":["IPv4"]}]}
        --ip-version ipv6 --last 1           | {"number":"1","whitelist":[{"ip_version":["IPv6"]}]}
        --node-name node-a --last 1          | {"number":"1","whitelist":[{"node_name":["node-a"]}]}
        --type trace:to-endpoint --last 1    | {"number":"1","whitelist":[{"event_type":[{"type":4,"match_sub_type":true}]}]}
        --type trace:from-network --last 1   | {"number":"1","whitelist":[{"event_type":[{"type":4,"match_sub_type":true,"sub_type":10}]}]}
        --type drop --type policy-verdict --last 1 | {"number":"1","whitelist":[{"event_type":[{"type":1},{"type":5}]}]}
        --pod shop/a --protocol tcp --last 1 | {"number":"1","whitelist":[{"source_pod":["shop/a"],"protocol":["tcp"]},{"destination_pod":["shop/a"],"protocol":["tcp"]}]}
        --not --pod shop/a --last 1          | {"number":"1","blacklist":[{"source_pod":["shop/a"]},{"destination_pod":["shop/a"]}]}
        --not --service shop/cart --last 1   | {"number":"1","blacklist":[{"source_service":["shop/cart"]},{"destination_service":["shop/cart"]}]}
        --not --to-identity world --from-workload cart --last 1 | {"number":"1","blacklist":[{"destination_identity":[2]}],"whitelist":[{"source_workload":[{"name":"cart"}]}]}
        --not --from-namespace kube-system --not --tcp-flags RST --last 1 | {"number":"1","blacklist":[{"source_pod":["kube-system/"],"tcp_flags":[{"RST":true}]}]}
        --not -n infra --last 1              | {"number":"1","blacklist":[{"source_pod":["infra/"]},{"destination_pod":["infra/"]}]}
        --not --ip-version 6 --last 1        | {"number":"1","blacklist":[{"ip_version":["IPv6"]}]}
        --from-pod shop/a --not --to-port 9999 --protocol tcp --last 1 | {"number":"1","blacklist":[{"destination_port":["9999"]}],"whitelist":[{"source_pod":["shop/a"],"protocol":["tcp"]}]}
        """)
    void buildsTheRequestHubbleWouldSend(String args, String expected) throws Exception {
        assertEquals(expected, json(request(args)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        --port 70000          | --port 70000: must be a port number 0-65535
        --to-port http        | --to-port http: must be a port number 0-65535
        --protocol icmpv9     | --protocol icmpv9: must be one of dns, http, icmp, icmpv4, icmpv6, kafka, sctp, tcp, udp
        --verdict OK          | --verdict OK: must be one of FORWARDED, DROPPED, ERROR, AUDIT, REDIRECTED, TRACED, TRANSLATED
        --type tcp            | --type tcp: must be TYPE[:SUBTYPE] with TYPE one of drop, debug, capture, trace, policy-verdict, trace-sock, l7
        --type trace:sideways | --type trace:sideways: must be trace:SUBTYPE with SUBTYPE one of to-endpoint
        --type drop:133       | --type drop:133: must be drop without a sub-type (only trace has sub-types)
        --since yesterday     | --since yesterday: must be an RFC 3339 time
        --until 2026-13-01    | --until 2026-13-01: must be an RFC 3339 time
        --ip 10.0.0.300       | --ip 10.0.0.300: must be an IP address or CIDR
        --from-ip example.com | --from-ip example.com: must be an IP address or CIDR
        --namespace Shop!     | --namespace Shop!: must be a Kubernetes namespace name
        --service a/b/c       | --service a/b/c: must be a service name
        --from-identity abc   | --from-identity abc: must be a numeric security identity (0-4294967295) or a reserved one
        --to-identity 99999999999 | --to-identity 99999999999: must be a numeric security identity
        --workload Deploy/    | --workload Deploy/: must be a workload as KIND/NAME
        --tcp-flags SYN,FOO   | --tcp-flags SYN,FOO: must be comma-separated TCP flags among FIN, SYN
        --tcp-flags NS        | --tcp-flags NS: must be comma-separated TCP flags among
        --ip-version 5        | --ip-version 5: must be 4 or 6
        --from-namespace Bad_ | --from-namespace Bad_: must be a Kubernetes namespace name
        --first 1 --last 1    | --first and --last cannot be used together
        --all --last 1        | --all cannot be used with --first or --last
        --pod a --not         | --not must be followed by a filter flag
        """)
    void rejectsBadValuesNamingFlagAndValue(String args, String expected) {
        // Refused by a converter at parse (--since) or, filters, in command-line order as the request is built.
        RuntimeException e = assertThrows(RuntimeException.class, () -> request(args));
        assertTrue(e instanceof ConfigException || e instanceof FlagException, e.toString());
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }
}
