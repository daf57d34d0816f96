{{/* Object names: the release name, or release-chart when the release name does not say flows. */}}
{{- define "flows.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "flows.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component; call with (list $ "collector"). */}}
{{- define "flows.selector" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ $root.Chart.Name }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* The image of one component, pinned to appVersion; call with (list $ "collector"). */}}
{{- define "flows.image" -}}
{{- $root := index . 0 -}}
{{- $name := printf "flows-%s:%s" (index . 1) $root.Chart.AppVersion -}}
{{- if $root.Values.image.registry -}}
{{- printf "%s/%s" (trimSuffix "/" $root.Values.image.registry) $name -}}
{{- else -}}
{{- $name -}}
{{- end -}}
{{- end -}}

{{/*
One argument as a line of a picocli argument file (@file): double-quoted, with backslash and
double quote escaped, so values with spaces, quotes or '#' (a JAAS config, a metrics context)
reach the program unchanged.
*/}}
{{- define "flows.atFileArg" -}}
"{{ . | replace "\\" "\\\\" | replace "\"" "\\\"" }}"
{{- end -}}

{{/* The collectors' headless Service, which the relay resolves (--collectors-dns). */}}
{{- define "flows.collectorService" -}}
{{- printf "%s-collector" (include "flows.fullname" .) -}}
{{- end -}}

{{/* The headless Service's DNS name, as the relay dials it. */}}
{{- define "flows.collectorHost" -}}
{{- printf "%s.%s.svc.%s" (include "flows.collectorService" .) .Release.Namespace .Values.clusterDomain -}}
{{- end -}}

{{/* The collector's flags, one per line, for its argument file. */}}
{{- define "flows.collectorArgs" -}}
{{- $c := .Values.collector -}}
{{- $tls := include "flows.tls.mounts" . | fromYaml -}}
{{- $args := list (printf "--mode=%s" $c.mode) (printf "--listen=0.0.0.0:%d" (int64 $c.port)) -}}
{{- with $c.aggregation.level }}{{ $args = append $args (printf "--aggregation=%s" .) }}{{ end -}}
{{- with $c.aggregation.interval }}{{ $args = append $args (printf "--aggregation-interval=%s" .) }}{{ end -}}
{{- with $c.podInterfaces }}{{ $args = append $args (printf "--pod-interfaces=%s" .) }}{{ end -}}
{{- with $c.uplink }}{{ $args = append $args (printf "--uplink=%s" .) }}{{ end -}}
{{- with $c.clusterCidr }}{{ $args = append $args (printf "--cluster-cidr=%s" .) }}{{ end -}}
{{- with $c.nodeNetwork }}{{ $args = append $args (printf "--node-network=%s" .) }}{{ end -}}
{{- if not (kindIs "invalid" $c.ringSize) }}{{ $args = append $args (printf "--ring-size=%d" (int64 $c.ringSize)) }}{{ end -}}
{{- if not (kindIs "invalid" $c.bufferCapacity) }}{{ $args = append $args (printf "--buffer-capacity=%d" (int64 $c.bufferCapacity)) }}{{ end -}}
{{- if not (kindIs "invalid" $c.queueCapacity) }}{{ $args = append $args (printf "--queue-capacity=%d" (int64 $c.queueCapacity)) }}{{ end -}}
{{- $args = append $args (printf "--cluster-source=%s" $c.clusterSource) -}}
{{- if .Values.tls.enabled }}
{{- $args = concat $args (list (printf "--tls-server-cert-file=%s/tls.crt" $tls.collector) (printf "--tls-server-key-file=%s/tls.key" $tls.collector) (printf "--tls-client-ca-files=%s/ca.crt" $tls.collector)) -}}
{{- else }}
{{- $args = append $args "--disable-server-tls" -}}
{{- end -}}
{{- if eq $c.clusterSource "api" }}
{{- if $c.clusterStateConfigMap }}{{ fail "collector.clusterStateConfigMap is read only with collector.clusterSource=files, not api" }}{{ end -}}
{{- with $c.clusterSyncTimeout }}{{ $args = append $args (printf "--cluster-sync-timeout=%s" .) }}{{ end -}}
{{- else }}
{{- if $c.clusterSyncTimeout }}{{ fail "collector.clusterSyncTimeout is read only with collector.clusterSource=api, not files" }}{{ end -}}
{{- if $c.clusterStateConfigMap }}{{ $args = append $args "--cluster-state=/etc/flows/cluster-state" }}{{ end -}}
{{- end -}}
{{- if $c.metrics.enabled }}
{{- $args = append $args (printf "--metrics-listen=0.0.0.0:%d" (int64 $c.metrics.port)) -}}
{{- else }}
{{- $args = append $args "--metrics-listen=off" -}}
{{- end -}}
{{- range $c.extraArgs }}{{ $args = append $args . }}{{ end -}}
{{- range $args }}
{{ include "flows.atFileArg" . }}
{{- end -}}
{{- end -}}

{{/* The relay's flags, one per line, for its argument file. */}}
{{- define "flows.relayArgs" -}}
{{- $r := .Values.relay -}}
{{- $tls := include "flows.tls.mounts" . | fromYaml -}}
{{- $collectors := printf "%s:%d" (include "flows.collectorHost" .) (int64 .Values.collector.port) -}}
{{- $args := list -}}
{{- if .Values.tls.enabled }}
{{- /*
A collector's certificate names its node (<node>.<collector domain>), and the relay learns node
names only from a collector's Peer service (the cluster's Nodes): an address from --collectors-dns
comes without one and would be checked as an IP. The Peer service itself is dialled, and checked,
by the headless Service's name, which the collector certificate carries too.
*/ -}}
{{- $args = append $args (printf "--peer-service=%s" $collectors) -}}
{{- $args = concat $args (list (printf "--tls-client-cert-file=%s/tls.crt" $tls.relayClient) (printf "--tls-client-key-file=%s/tls.key" $tls.relayClient) (printf "--tls-hubble-server-ca-files=%s/ca.crt" $tls.relayClient)) -}}
{{- $args = concat $args (list (printf "--tls-relay-server-cert-file=%s/tls.crt" $tls.relayServer) (printf "--tls-relay-server-key-file=%s/tls.key" $tls.relayServer)) -}}
{{- if .Values.tls.relay.requireClientCert }}{{ $args = append $args (printf "--tls-relay-client-ca-files=%s/ca.crt" $tls.relayServer) }}{{ end -}}
{{- else }}
{{- $args = concat $args (list (printf "--collectors-dns=%s" $collectors) "--disable-server-tls" "--disable-client-tls") -}}
{{- end -}}
{{- with $r.sortWindow }}{{ $args = append $args (printf "--sort-window=%s" .) }}{{ end -}}
{{- with $r.quietGrace }}{{ $args = append $args (printf "--quiet-grace=%s" .) }}{{ end -}}
{{- if not (kindIs "invalid" $r.clientQueue) }}{{ $args = append $args (printf "--client-queue=%d" (int64 $r.clientQueue)) }}{{ end -}}
{{- if not (kindIs "invalid" $r.maxStreams) }}{{ $args = append $args (printf "--max-streams=%d" (int64 $r.maxStreams)) }}{{ end -}}
{{- if $r.metrics.enabled }}
{{- $args = append $args (printf "--metrics-listen=0.0.0.0:%d" (int64 $r.metrics.port)) -}}
{{- range $r.metrics.families }}{{ $args = append $args (printf "--metrics=%s" .) }}{{ end -}}
{{- if not (kindIs "invalid" $r.metrics.seriesLimit) }}{{ $args = append $args (printf "--metrics-series-limit=%d" (int64 $r.metrics.seriesLimit)) }}{{ end -}}
{{- else }}
{{- $args = append $args "--metrics-listen=off" -}}
{{- end -}}
{{- with .Values.kafka }}
{{- if .bootstrapServers }}
{{- $args = append $args (printf "--kafka-bootstrap-servers=%s" .bootstrapServers) -}}
{{- with .topic }}{{ $args = append $args (printf "--kafka-topic=%s" .) }}{{ end -}}
{{- if eq (toString .dropsTopic) "true" }}{{ $args = append $args "--kafka-drops-topic" }}{{ else if and .dropsTopic (ne (toString .dropsTopic) "false") }}{{ $args = append $args (printf "--kafka-drops-topic=%s" .dropsTopic) }}{{ end -}}
{{- if eq (toString .policyTopic) "true" }}{{ $args = append $args "--kafka-policy-topic" }}{{ else if and .policyTopic (ne (toString .policyTopic) "false") }}{{ $args = append $args (printf "--kafka-policy-topic=%s" .policyTopic) }}{{ end -}}
{{- with .format }}{{ $args = append $args (printf "--kafka-format=%s" .) }}{{ end -}}
{{- with .compression }}{{ $args = append $args (printf "--kafka-compression=%s" .) }}{{ end -}}
{{- range $k, $v := .properties }}
{{- if not (kindIs "string" $v) }}{{ fail (printf "kafka.properties.%s: quote the value, e.g. \"%v\" (Helm would turn a bare number into a float)" $k $v) }}{{ end -}}
{{- $args = append $args (printf "--kafka-property=%s=%s" $k $v) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- with .Values.otlp }}
{{- if .endpoint }}
{{- $args = append $args (printf "--otlp-endpoint=%s" .endpoint) -}}
{{- with .protocol }}{{ $args = append $args (printf "--otlp-protocol=%s" .) }}{{ end -}}
{{- if not (kindIs "invalid" .samplingRatio) }}{{ $args = append $args (printf "--otlp-sampling-ratio=%v" .samplingRatio) }}{{ end -}}
{{- range $k, $v := .headers }}
{{- if not (kindIs "string" $v) }}{{ fail (printf "otlp.headers.%s: quote the value, e.g. \"%v\"" $k $v) }}{{ end -}}
{{- $args = append $args (printf "--otlp-header=%s=%s" $k $v) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $r.extraArgs }}{{ $args = append $args . }}{{ end -}}
{{- range $args }}
{{ include "flows.atFileArg" . }}
{{- end -}}
{{- end -}}
