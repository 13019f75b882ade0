import { strict as assert } from "assert";
import { Span, phases, readSpans, registered } from "./e2e/phases";

const span = (name: string, start: number, end: number, attributes: Record<string, string> = {}, service = "pulumi-cli"): Span => ({ name, service, start, end, attributes });
const register = (type: string, name: string, start: number, end: number) =>
    span("/pulumirpc.ResourceMonitor/RegisterResource", start, end, { Msg: `{"gRPC request":"type:\\"${type}\\"  name:\\"${name}\\"  object:{}"}` }, "pulumi-language-host");

describe("bench: where a command's time goes, from Pulumi's own spans", () => {
    it("an up: the CLI, then the preview and the update each split into pack, engine, compile, registrations (slowest named), after; then the end", () => {
        const spans = [
            span("pulumi", 0, 29),
            span("pulumi-plan", 0.3, 14.7),
            span("newPlugin", 0.5, 4.0, { kind: "analyzer" }),
            span("run-program", 4.1, 14.6),
            register("pulumi:pulumi:Stack", "devkube-minikube", 4.3, 4.4),
            register("devkube:target:Target", "minikube", 12.6, 12.7),
            span("pulumi-plan", 14.8, 28.8),
            span("newPlugin", 14.9, 15.9, { kind: "analyzer" }),
            span("newPlugin", 15.9, 16.0, { kind: "resource" }),
            span("run-program", 16.0, 28.5),
            register("devkube:target:Target", "minikube", 18.0, 18.1),
            register("kubernetes:core/v1:PersistentVolumeClaim", "devkube-workspace-claim", 18.2, 27.0),
        ];
        assert.deepEqual(phases(spans, 29.4), [
            { label: "CLI start, stack and backend, to the first engine run", seconds: 0.3 },
            { label: "preview: policy pack start", seconds: 3.5 },
            { label: "preview: engine start (language host, providers, state)", seconds: 0.3 },
            { label: "preview: program start and TypeScript compile, to its first resource", seconds: 8.5 },
            { label: "preview: registrations and awaits, to the program's end", seconds: 2 },
            { label: "preview: after the program (stack policies, outputs)", seconds: 0.1 },
            { label: "between the preview and the update", seconds: 0.1 },
            { label: "update: policy pack start", seconds: 1 },
            { label: "update: engine start (language host, providers, state)", seconds: 0.2 },
            { label: "update: program start and TypeScript compile, to its first resource", seconds: 2 },
            { label: "update: registrations and awaits, to the program's end", seconds: 10.5 },
            { label: "update:   of which PersistentVolumeClaim devkube-workspace-claim", seconds: 8.8 },
            { label: "update: after the program (stack policies, outputs)", seconds: 0.3 },
            { label: "after the last run (state write, plugins stopped)", seconds: 0.2 },
            { label: "process start and exit outside the CLI's trace", seconds: 0.4 },
        ]);
    });
    it("reads OTLP JSON lines, keeps a gRPC span's request, names what it registered; no trace is one line", () => {
        const line = JSON.stringify({
            resourceSpans: [{
                resource: { attributes: [{ key: "service.name", value: { stringValue: "pulumi-language-host" } }] },
                scopeSpans: [{ spans: [{ name: "/pulumirpc.ResourceMonitor/RegisterResource", startTimeUnixNano: "1500000000", endTimeUnixNano: "2000000000",
                    attributes: [{ key: "Msg", value: { stringValue: '{"gRPC request":"type:\\"kubernetes:core/v1:Service\\"  name:\\"devkube-nfs-service\\""}' } },
                        { key: "Msg", value: { stringValue: '{"gRPC response":"urn:..."}' } }] }] }],
            }],
        });
        const [read] = readSpans(`${line}\n`);
        assert.deepEqual([read.service, read.start, read.end], ["pulumi-language-host", 1.5, 2]);
        assert.equal(registered(read), "Service devkube-nfs-service");
        assert.deepEqual(phases([], 4), [{ label: "no trace (the command failed before the engine started)", seconds: 4 }]);
    });
});
