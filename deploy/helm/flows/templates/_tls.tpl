{{/*
The names certificates carry and are checked against. Keep in sync with
observer/src/main/java/dev/flows/observer/tls/ServerNames.java (the chart's TlsTest reads it): the
relay checks a collector as <node>.<collector domain>, clients check the relay as the relay name.
*/}}
{{- define "flows.tls.collectorDomain" -}}flows-collector.flows.dev{{- end -}}
{{- define "flows.tls.relayName" -}}relay.flows.dev{{- end -}}

{{/* Where each program finds its certificate, key and CA (tls.crt, tls.key, ca.crt), as YAML. */}}
{{- define "flows.tls.mounts" -}}
collector: /etc/flows/tls
relayClient: /etc/flows/tls/client
relayServer: /etc/flows/tls/server
{{- end -}}

{{/*
The four certificates, as a YAML list, for both methods: the collectors' server certificate (one
for every node: a wildcard under the collector domain, plus the headless Service's names by which
the relay dials the Peer service), the relay's server certificate (its name and its Service's), the
relay's client certificate towards the collectors, and the CLI's client certificate, which no pod
mounts: it is the one users take (NOTES.txt).
*/}}
{{- define "flows.tls.certs" -}}
{{- $full := include "flows.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- $collector := include "flows.collectorService" . -}}
{{- $relay := printf "%s-relay" $full -}}
- role: collector
  secret: {{ $full }}-collector-tls
  commonName: "*.{{ include "flows.tls.collectorDomain" . }}"
  dnsNames:
    - "*.{{ include "flows.tls.collectorDomain" . }}"
    - {{ include "flows.collectorHost" . }}
    - {{ $collector }}.{{ $ns }}.svc
  usage: server auth
- role: relayServer
  secret: {{ $full }}-relay-server-tls
  commonName: {{ include "flows.tls.relayName" . }}
  dnsNames:
    - {{ include "flows.tls.relayName" . }}
    - {{ $relay }}
    - {{ $relay }}.{{ $ns }}
    - {{ $relay }}.{{ $ns }}.svc
    - {{ $relay }}.{{ $ns }}.svc.{{ .Values.clusterDomain }}
  usage: server auth
- role: relayClient
  secret: {{ $full }}-relay-client-tls
  commonName: {{ $relay }}
  dnsNames: []
  usage: client auth
- role: cliClient
  secret: {{ $full }}-cli-client-tls
  commonName: {{ $full }}-cli
  dnsNames: []
  usage: client auth
{{- end -}}

{{/* The Secret of one certificate; call with (list $ "collector"), a role of flows.tls.certs. */}}
{{- define "flows.tls.secret" -}}
{{- $role := index . 1 -}}
{{- range include "flows.tls.certs" (index . 0) | fromYamlArray }}{{ if eq .role $role }}{{ .secret }}{{ end }}{{ end -}}
{{- end -}}

{{/*
The settings TLS needs, checked once: the schema cannot say that certmanager needs an issuer.
*/}}
{{- define "flows.tls.check" -}}
{{- $t := .Values.tls -}}
{{- if and $t.enabled (eq $t.method "certmanager") (not $t.certManagerIssuerRef.name) -}}
{{- fail "tls.certManagerIssuerRef.name: required with tls.method=certmanager (the cert-manager Issuer or ClusterIssuer that signs the certificates, e.g. {kind: ClusterIssuer, name: flows-ca})" -}}
{{- end -}}
{{- end -}}

{{/*
An RSA key as PKCS #8 ("PRIVATE KEY") from the PKCS #1 PEM ("RSA PRIVATE KEY") that Sprig's
genCA and genSignedCert make: the programs read keys with grpc-java's CertificateUtils, which takes
PKCS #8 only (cert-manager is asked for PKCS #8 directly). PKCS #8 wraps the PKCS #1 bytes
unchanged, SEQUENCE { INTEGER 0, SEQUENCE { OID rsaEncryption, NULL }, OCTET STRING <PKCS #1> },
and with Sprig's 2048-bit keys (about 1,190 bytes) both lengths take two bytes (0x82 hi lo).
*/}}
{{- define "flows.tls.pkcs8" -}}
{{- $der := regexReplaceAll "-----[A-Z ]+-----|\\s" . "" | b64dec -}}
{{- $n := len $der -}}
{{- if or (lt $n 256) (gt $n 65000) }}{{ fail (printf "flows.tls.pkcs8: an RSA key of %d bytes; expected a 2048-bit key" $n) }}{{ end -}}
{{- $body := printf "%s%s%s%s%s" (b64dec "AgEAMA0GCSqGSIb3DQEBAQUA") (b64dec "BII=") (include "flows.tls.byte" (div $n 256)) (include "flows.tls.byte" (mod $n 256)) $der -}}
{{- $m := len $body -}}
{{- $b64 := printf "%s%s%s%s" (b64dec "MII=") (include "flows.tls.byte" (div $m 256)) (include "flows.tls.byte" (mod $m 256)) $body | b64enc -}}
-----BEGIN PRIVATE KEY-----
{{ range $i := until (int (div (add (len $b64) 63) 64)) }}{{ substr (mul $i 64 | int) (mul (add $i 1) 64 | int) $b64 }}
{{ end }}-----END PRIVATE KEY-----
{{ end -}}

{{/* One byte (0-255) as a string, by decoding its base64 form: templates have no byte literal. */}}
{{- define "flows.tls.byte" -}}
{{- $alphabet := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" -}}
{{- $hi := div . 4 | int -}}
{{- $lo := mul (mod . 4) 16 | int -}}
{{- printf "%s%s==" (substr $hi (add1 $hi | int) $alphabet) (substr $lo (add1 $lo | int) $alphabet) | b64dec -}}
{{- end -}}
