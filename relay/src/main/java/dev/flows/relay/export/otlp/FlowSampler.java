package dev.flows.relay.export.otlp;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.util.List;

/**
 * Drops (and denying policy verdicts: every span with {@code flows.drop_reason}) are always sampled; every other span by the SDK's trace id ratio, which looks only at the
 * trace id: every span of a connection gets the same answer, whichever node saw it. (A drop in a
 * connection that was not sampled is exported alone: losing a denial to sampling would hide what
 * matters most.)
 */
final class FlowSampler implements Sampler {
    private final Sampler ratio;

    FlowSampler(double ratio) {
        this.ratio = Sampler.traceIdRatioBased(ratio);
    }

    @Override
    public SamplingResult shouldSample(Context parent, String traceId, String name, SpanKind kind, Attributes attributes,
            List<LinkData> links) {
        if (attributes.get(FlowSpans.DROP_REASON) != null) {
            return SamplingResult.recordAndSample();
        }
        return ratio.shouldSample(parent, traceId, name, kind, attributes, links);
    }

    @Override
    public String getDescription() {
        return "FlowSampler{drops always, others " + ratio.getDescription() + "}";
    }
}
