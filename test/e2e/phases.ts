// Where a Pulumi command's time goes, from Pulumi's own OpenTelemetry spans (`--otel-traces file://...`):
// a pure function of the spans, so the benchmark's breakdown has a unit test.

/** One span, in seconds on one clock. */
export interface Span {
    readonly name: string;
    readonly service: string;
    readonly start: number;
    readonly end: number;
    readonly attributes: Readonly<Record<string, string>>;
}

export interface Phase {
    readonly label: string;
    readonly seconds: number;
}

/** The spans of an OTLP JSON file (one export request per line). */
export function readSpans(text: string): Span[] {
    const spans: Span[] = [];
    for (const line of text.split("\n").filter((l) => l.trim() !== "")) {
        for (const resource of JSON.parse(line).resourceSpans ?? []) {
            const service = (resource.resource?.attributes ?? []).find((a: any) => a.key === "service.name")?.value?.stringValue ?? "";
            for (const scope of resource.scopeSpans ?? []) {
                for (const span of scope.spans ?? []) {
                    const attributes: Record<string, string> = {};
                    for (const a of span.attributes ?? []) {
                        // A gRPC span carries its request and its response as two "Msg" attributes: keep the request.
                        attributes[a.key] ??= String(a.value?.stringValue ?? a.value?.boolValue ?? a.value?.intValue ?? "");
                    }
                    spans.push({ name: span.name, service, start: Number(span.startTimeUnixNano) / 1e9, end: Number(span.endTimeUnixNano) / 1e9, attributes });
                }
            }
        }
    }
    return spans;
}

/** The resource a RegisterResource span registered, from its request: "PersistentVolumeClaim devkube-workspace-claim". */
export function registered(span: Span): string | undefined {
    const match = /type:\\?"([^"\\]+)\\?"\s+name:\\?"([^"\\]+)\\?"/.exec(span.attributes.Msg ?? "");
    return match ? `${match[1].split(":").pop()} ${match[2]}` : undefined;
}

const within = (outer: Span) => (s: Span) => s.start >= outer.start && s.end <= outer.end + 1e-6;
const round = (seconds: number) => Math.max(0, Math.round(seconds * 10) / 10);

/**
 * The phases of one command: the CLI before its first engine run; then each run (an `up` has a preview
 * and an update) split into the policy pack's start, the engine's other start (plugins, state), the
 * program's start and compile up to its first resource, its registrations with their awaits (the slowest
 * named), and what follows the program (stack policies, outputs); then the end (state write, exit).
 */
export function phases(spans: readonly Span[], wallSeconds: number): Phase[] {
    const root = spans.find((s) => s.name === "pulumi" && s.service === "pulumi-cli");
    if (!root) {
        return [{ label: "no trace (the command failed before the engine started)", seconds: round(wallSeconds) }];
    }
    const plans = spans.filter((s) => s.name === "pulumi-plan").sort((a, b) => a.start - b.start);
    const result: Phase[] = [{ label: "CLI start, stack and backend, to the first engine run", seconds: round((plans[0]?.start ?? root.end) - root.start) }];
    plans.forEach((plan, index) => {
        const name = plans.length === 2 ? (index === 0 ? "preview" : "update") : "run";
        const inPlan = spans.filter(within(plan));
        const pack = inPlan.filter((s) => s.name === "newPlugin" && s.attributes.kind === "analyzer").reduce((sum, s) => sum + (s.end - s.start), 0);
        const program = inPlan.find((s) => s.name === "run-program");
        if (!program) {
            result.push({ label: `${name}: the whole run (no program)`, seconds: round(plan.end - plan.start) });
            return;
        }
        const registrations = inPlan
            .filter((s) => s.name === "/pulumirpc.ResourceMonitor/RegisterResource" && registered(s) !== undefined && !registered(s)!.startsWith("Stack "))
            .sort((a, b) => a.start - b.start);
        const firstResource = registrations[0]?.start ?? program.end;
        result.push({ label: `${name}: policy pack start`, seconds: round(pack) });
        result.push({ label: `${name}: engine start (language host, providers, state)`, seconds: round(program.start - plan.start - pack) });
        result.push({ label: `${name}: program start and TypeScript compile, to its first resource`, seconds: round(firstResource - program.start) });
        result.push({ label: `${name}: registrations and awaits, to the program's end`, seconds: round(program.end - firstResource) });
        for (const slow of [...registrations].sort((a, b) => b.end - b.start - (a.end - a.start)).slice(0, 3).filter((s) => s.end - s.start >= 0.5)) {
            result.push({ label: `${name}:   of which ${registered(slow)}`, seconds: round(slow.end - slow.start) });
        }
        result.push({ label: `${name}: after the program (stack policies, outputs)`, seconds: round(plan.end - program.end) });
        if (index + 1 < plans.length) {
            result.push({ label: "between the preview and the update", seconds: round(plans[index + 1].start - plan.end) });
        }
    });
    const lastPlanEnd = plans.length > 0 ? plans[plans.length - 1].end : root.end;
    result.push({ label: "after the last run (state write, plugins stopped)", seconds: round(root.end - lastPlanEnd) });
    result.push({ label: "process start and exit outside the CLI's trace", seconds: round(wallSeconds - (root.end - root.start)) });
    return result;
}
