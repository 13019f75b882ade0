// Benchmark (a script, not a test): how long a claim takes to be Bound to the static PV reserved for it,
// on the local cluster's real kube-controller-manager, for the claim devkube declares
// (components/workspace.ts reservedClaimSpec) and for the one it declared before, which also named its PV
// (spec.volumeName). Each round creates the PV, waits until it is Available (as pulumi-kubernetes does
// before it creates the claim), creates the claim and times it to Bound. Run through `npm run bench:bind`.
import * as os from "os";
import { CONTEXT, KUBECONFIG, REPO, kubeJson, run } from "./lib";
import { backingVolumeSpec, reservedClaimSpec } from "../../components/workspace";

const ROUNDS = Number(process.env.DEVKUBE_BENCH_ROUNDS ?? "20");
const NS = `bench-bind-${Date.now().toString(36)}`;
const LABELS = { "devkube.dev/role": "workspace", "app.kubernetes.io/part-of": "devkube" };

type Variant = "reserved (devkube's claim)" | "named both ways (volumeName)";
const VARIANTS: Variant[] = ["reserved (devkube's claim)", "named both ways (volumeName)"];

const kubectlRun = (args: string[], input?: string) => run("kubectl", ["--kubeconfig", KUBECONFIG, "--context", CONTEXT, ...args], { input, cwd: REPO });

function kubectl(args: string[], input?: string): string {
    const result = kubectlRun(args, input);
    if (result.code !== 0) {
        throw new Error(`kubectl ${args.join(" ")}: ${result.stderr}`);
    }
    return result.stdout;
}

/** Seconds from the claim's creation to Bound, or Infinity past the limit. */
function bindOnce(round: number, variant: Variant): number {
    const pvName = `bench-bind-${round}-${variant.startsWith("reserved") ? "r" : "n"}`;
    const claimName = "workspace";
    const spec = backingVolumeSpec(
        { size: "1Gi", volume: { source: { hostPath: { path: `/tmp/${pvName}`, type: "DirectoryOrCreate" } }, description: "bench" } },
        { namespace: NS, name: claimName },
    );
    kubectl(["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name: pvName, labels: LABELS }, spec }));
    kubectl(["wait", "--for=jsonpath={.status.phase}=Available", `pv/${pvName}`, "--timeout=60s"]);
    const claimSpec = reservedClaimSpec({ accessMode: "ReadWriteOnce", size: "1Gi", volumeLabels: LABELS });
    const claim = {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: claimName, namespace: NS },
        spec: variant.startsWith("reserved") ? claimSpec : { ...claimSpec, selector: undefined, volumeName: pvName },
    };
    const started = Date.now();
    kubectl(["create", "-f", "-"], JSON.stringify(claim));
    const waited = kubectlRun(["-n", NS, "wait", "--for=jsonpath={.status.phase}=Bound", `pvc/${claimName}`, "--timeout=40s"]);
    const seconds = waited.code === 0 ? (Date.now() - started) / 1000 : Infinity;
    const bound = kubeJson(["-n", NS, "get", "pvc", claimName]).spec.volumeName;
    if (waited.code === 0 && bound !== pvName) {
        throw new Error(`claim bound to ${bound}, not to its reserved PV ${pvName}`);
    }
    kubectl(["-n", NS, "delete", "pvc", claimName, "--wait=true"]);
    kubectl(["delete", "pv", pvName, "--wait=true"]);
    return seconds;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

kubectl(["create", "namespace", NS]);
const times: Record<Variant, number[]> = { "reserved (devkube's claim)": [], "named both ways (volumeName)": [] };
for (let round = 0; round < ROUNDS; round++) {
    // Taking turns to go first, so neither always meets a controller that just worked.
    for (const variant of round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
        times[variant].push(bindOnce(round, variant));
    }
}
console.log(`claim to Bound, ${ROUNDS} rounds, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, kube-controller-manager on the local kwok cluster`);
for (const variant of VARIANTS) {
    const sorted = [...times[variant]].sort((a, b) => a - b);
    const fast = sorted.filter((s) => s < 2).length;
    const show = (s: number) => (Number.isFinite(s) ? `${s.toFixed(1)} s` : "over 40 s");
    console.log(
        `  ${variant}: median ${show(quantile(sorted, 0.5))}, p90 ${show(quantile(sorted, 0.9))}, max ${show(sorted[sorted.length - 1])}; ` +
            `${fast} of ${sorted.length} within 2 s`,
    );
}
kubectl(["delete", "namespace", NS, "--wait=false"]);
